package io.hotvirt.cpu.kernel;

import io.hotvirt.cpu.CpuSettings;
import io.hotvirt.cpu.CpuUsage;
import io.hotvirt.linux.cgroup.CgroupFiles;

import java.io.IOException;

/**
 * The cgroup-version-specific part of CPU virtualization: which files hold bandwidth, weight and
 * pinning, and where the accounting is. One implementation per cgroup version.
 */
public interface CpuController {

    /** {@code v1} or {@code v2}. */
    String version();

    /**
     * Puts the cgroup in exactly the state {@code settings} describe: each part that is not set gets
     * the kernel's unlimited default. A part at its default is skipped when the cgroup lacks the
     * controller; a part that is set then fails with a message naming the missing controller.
     */
    void apply(CgroupFiles cgroup, CpuSettings settings) throws IOException;

    /** Lifts every limit: no bandwidth limit, default weight, all the parent's CPUs. */
    default void reset(CgroupFiles cgroup) throws IOException {
        apply(cgroup, CpuSettings.NONE);
    }

    CpuUsage usage(CgroupFiles cgroup) throws IOException;

    CpuKnobs current(CgroupFiles cgroup) throws IOException;
}
