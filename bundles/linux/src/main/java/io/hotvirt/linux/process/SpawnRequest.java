package io.hotvirt.linux.process;

import java.nio.file.Path;
import java.util.List;

/**
 * What to start.
 *
 * @param argv             the command and its arguments; argv[0] is looked up on PATH unless it contains '/'
 * @param workingDir       the directory to start in, or null for the JVM's
 * @param logFile          where stdout and stderr are appended (created 0600), or null for /dev/null
 * @param cgroupProcsFiles cgroup.procs files the process joins before the command runs
 * @param runAs            the user the command runs as, or null for the JVM's user
 */
public record SpawnRequest(List<String> argv, Path workingDir, Path logFile, List<Path> cgroupProcsFiles, RunAs runAs) {

    public SpawnRequest {
        argv = List.copyOf(argv);
        cgroupProcsFiles = cgroupProcsFiles == null ? List.of() : List.copyOf(cgroupProcsFiles);
    }

    /** A command that runs as the JVM's user. */
    public SpawnRequest(List<String> argv, Path workingDir, Path logFile, List<Path> cgroupProcsFiles) {
        this(argv, workingDir, logFile, cgroupProcsFiles, null);
    }
}
