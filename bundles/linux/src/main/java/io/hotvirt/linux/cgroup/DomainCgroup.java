package io.hotvirt.linux.cgroup;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Set;

/**
 * A cgroup hotvirt created for one domain: one directory in each hierarchy it manages (v1), or
 * one directory (v2). Obtained from {@link Cgroups#create} or {@link Cgroups#open}.
 */
public interface DomainCgroup {

    /** The path relative to the hierarchy roots, e.g. {@code "hotvirt/w1"}. */
    String path();

    /** The controllers usable in this cgroup (v1: the managed hierarchies mounted; v2: cgroup.controllers). */
    Set<String> controllers() throws IOException;

    /** Moves a process with all its threads into this cgroup, in every hierarchy. */
    void add(int pid) throws IOException;

    /** The processes in this cgroup (the union over its hierarchies). Zombies may be listed. */
    Set<Integer> pids() throws IOException;

    /**
     * The cgroup.procs file of this cgroup in each hierarchy: a new process joins the cgroup by
     * writing its own pid into each before it runs its command.
     */
    List<Path> procsFiles();

    /**
     * This cgroup's directory in the hierarchy of {@code controller} (v2: the same directory for all).
     *
     * @throws IllegalArgumentException if no hierarchy hotvirt manages has that controller
     */
    Path dir(String controller);

    /** Reads an interface file, without its trailing newline. */
    String read(String controller, String file) throws IOException;

    /** Writes {@code value} to an interface file in one write(2). */
    void write(String controller, String file, String value) throws IOException;

    /** How long {@link #freeze()} waits for the kernel to confirm the freeze. */
    Duration DEFAULT_FREEZE_TIMEOUT = Duration.ofSeconds(10);

    /** Freezes every process and waits until all are frozen (v1 freezer.state, v2 cgroup.freeze). */
    default void freeze() throws IOException {
        freeze(DEFAULT_FREEZE_TIMEOUT);
    }

    /**
     * As {@link #freeze()}, waiting at most {@code timeout}; on a timeout the cgroup is thawed
     * again and an IOException says so.
     */
    void freeze(Duration timeout) throws IOException;

    /** Lets frozen processes run again. */
    void thaw() throws IOException;

    boolean frozen() throws IOException;

    /**
     * Sends {@code sig} to every process in the cgroup and returns how many got it. The cgroup is
     * frozen meanwhile (if it was not already), so a process forking at that moment cannot slip a
     * child past the signal.
     */
    int signal(int sig) throws IOException;

    /** True if the directory exists in any hierarchy. */
    boolean exists();

    /**
     * Removes the directory in every hierarchy. Does nothing where it is already gone; fails,
     * naming the processes, if any remain.
     */
    void remove() throws IOException;
}
