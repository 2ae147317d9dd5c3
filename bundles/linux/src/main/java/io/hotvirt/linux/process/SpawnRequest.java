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
 */
public record SpawnRequest(List<String> argv, Path workingDir, Path logFile, List<Path> cgroupProcsFiles) {

    public SpawnRequest {
        argv = List.copyOf(argv);
        cgroupProcsFiles = cgroupProcsFiles == null ? List.of() : List.copyOf(cgroupProcsFiles);
    }
}
