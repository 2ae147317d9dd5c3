package io.hotvirt.checkpoint.memory;

import io.hotvirt.linux.cgroup.Cgroups;
import io.hotvirt.linux.proc.CgroupEntry;
import io.hotvirt.linux.proc.Procfs;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/**
 * Whether a checkpoint may read swapped pages through a process. That swaps them in and charges
 * them to the process's memory cgroup; with little room under its limit (or an ancestor's) the
 * kernel OOM-kills the frozen workload, or leaves its memcg so that it is OOM-killed soon after —
 * seen on 6.18 with a v1 limit even when every MiB read was paged straight back out. So the
 * fallback runs only with {@link #MIN_HEADROOM} to spare, and is refused otherwise: the workload
 * then runs on as it was.
 */
record SwapInBudget(long headroom, String cgroup) {

    static final long MIN_HEADROOM = 16L << 20;
    private static final long UNLIMITED = Long.MAX_VALUE;

    boolean allowed() {
        return headroom >= MIN_HEADROOM;
    }

    /** The least room under any memory limit on the way from the process's memory cgroup to the root. */
    static SwapInBudget of(int pid) throws IOException {
        Map<String, Path> mounts = Cgroups.detect().mounts();
        long least = UNLIMITED;
        String where = "none";
        for (CgroupEntry e : Procfs.cgroups(pid)) {
            boolean v1 = e.controllers().contains("memory");
            Path mount = v1 ? mounts.get("memory") : e.hierarchyId() == 0 ? mounts.get("") : null;
            if (mount == null) {
                continue;
            }
            for (Path dir = mount.resolve(e.path().substring(1)); dir.startsWith(mount); dir = dir.getParent()) {
                long room = room(dir, v1);
                if (room < least) {
                    least = room;
                    where = dir.toString();
                }
                if (dir.equals(mount)) {
                    break;
                }
            }
        }
        return new SwapInBudget(least, where);
    }

    private static long room(Path dir, boolean v1) throws IOException {
        Path limitFile = dir.resolve(v1 ? "memory.limit_in_bytes" : "memory.max");
        Path usageFile = dir.resolve(v1 ? "memory.usage_in_bytes" : "memory.current");
        if (!Files.exists(limitFile) || !Files.exists(usageFile)) {
            return UNLIMITED;
        }
        String limit = Files.readString(limitFile).strip();
        if (limit.equals("max") || Long.parseUnsignedLong(limit) >= (Long.MAX_VALUE >> 1)) {
            return UNLIMITED; // v1 says "unlimited" with a huge number
        }
        return Long.parseLong(limit) - Long.parseLong(Files.readString(usageFile).strip());
    }
}
