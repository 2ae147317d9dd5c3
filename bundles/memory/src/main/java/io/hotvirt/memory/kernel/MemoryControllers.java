package io.hotvirt.memory.kernel;

import io.hotvirt.linux.cgroup.CgroupMode;

/** Picks the strategy for the host's cgroup version. */
public final class MemoryControllers {

    private MemoryControllers() {
    }

    public static MemoryController forMode(CgroupMode mode) {
        return switch (mode) {
            case V1 -> new MemoryControllerV1();
            case V2 -> new MemoryControllerV2();
        };
    }
}
