package io.hotvirt.linux.cgroup;

import java.util.Map;

/**
 * Where a process was before hotvirt moved it: its cgroup path per hierarchy. The key is the
 * hierarchy's controller list as /proc/PID/cgroup shows it ({@code "cpu,cpuacct"}, {@code "memory"},
 * {@code "name=systemd"}), or {@code ""} for the v2 hierarchy.
 */
public record CgroupOrigin(Map<String, String> pathByHierarchy) {

    public CgroupOrigin {
        pathByHierarchy = pathByHierarchy == null ? Map.of() : Map.copyOf(pathByHierarchy);
    }

    /** The origin that puts a process back in the root cgroup of every hierarchy. */
    public static CgroupOrigin roots() {
        return new CgroupOrigin(Map.of());
    }
}
