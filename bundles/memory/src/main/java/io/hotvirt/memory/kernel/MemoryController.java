package io.hotvirt.memory.kernel;

import io.hotvirt.linux.cgroup.CgroupFiles;
import io.hotvirt.memory.MemorySettings;
import io.hotvirt.memory.MemoryUsage;

import java.io.IOException;

/**
 * The cgroup-version-specific part of memory virtualization: which files hold the limits, where
 * the accounting is, and whether the cgroup can be told to reclaim. One implementation per version.
 */
public interface MemoryController {

    /** The controller whose files these are, in every {@link CgroupFiles} call. */
    String MEMORY = "memory";

    /** {@code v1} or {@code v2}. */
    String version();

    /**
     * Refuses settings this cgroup version or this cgroup cannot express, before anything is
     * written (v1: a swap limit without a hard limit, or without swap accounting).
     *
     * @throws IllegalArgumentException saying what is not supported and what would work
     */
    void check(CgroupFiles cgroup, MemorySettings settings);

    /**
     * Puts the cgroup in exactly the state {@code settings} describe: each part that is not set is
     * unlimited. A part without a limit is skipped when the cgroup lacks its file; a part that is
     * set then fails with a message naming the missing file.
     */
    void apply(CgroupFiles cgroup, MemorySettings settings) throws IOException;

    /** Lifts every limit. */
    default void reset(CgroupFiles cgroup) throws IOException {
        apply(cgroup, MemorySettings.NONE);
    }

    MemoryUsage usage(CgroupFiles cgroup) throws IOException;

    MemoryKnobs current(CgroupFiles cgroup) throws IOException;

    /** True if the cgroup itself can be told to reclaim (v2 memory.reclaim, Linux 5.19+). */
    boolean canReclaim(CgroupFiles cgroup);

    /**
     * Asks the kernel to reclaim {@code bytes} from the cgroup (cold pages first, as its LRU lists
     * say). Returns false if it reclaimed less than asked (EAGAIN), which is not an error.
     *
     * @throws UnsupportedOperationException if {@link #canReclaim} is false
     */
    boolean reclaim(CgroupFiles cgroup, long bytes) throws IOException;
}
