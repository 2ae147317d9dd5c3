package io.hotvirt.cpu;

import io.hotvirt.cpu.kernel.CpuController;
import io.hotvirt.cpu.kernel.CpuControllerV1;
import io.hotvirt.cpu.kernel.CpuControllerV2;
import io.hotvirt.linux.cgroup.CgroupMode;

/** Picks the strategy for the host's cgroup version. */
public final class CpuControllers {

    private CpuControllers() {
    }

    public static CpuController forMode(CgroupMode mode) {
        return switch (mode) {
            case V1 -> new CpuControllerV1();
            case V2 -> new CpuControllerV2();
        };
    }
}
