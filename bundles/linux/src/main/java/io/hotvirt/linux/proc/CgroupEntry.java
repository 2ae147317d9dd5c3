package io.hotvirt.linux.proc;

import java.util.Arrays;
import java.util.List;

/**
 * One line of {@code /proc/PID/cgroup}: {@code hierarchy-id:controller-list:path}. A cgroup v2 line
 * is {@code 0::/path} (no controllers); a named v1 hierarchy keeps its name as the controller
 * string, e.g. {@code name=systemd}.
 */
public record CgroupEntry(int hierarchyId, List<String> controllers, String path) {

    public CgroupEntry {
        controllers = List.copyOf(controllers);
    }

    /** The unified (v2) hierarchy. */
    public boolean v2() {
        return hierarchyId == 0 && controllers.isEmpty();
    }

    /** The controller list as the kernel writes it, e.g. {@code "cpu,cpuacct"}; "" for v2. */
    public String key() {
        return String.join(",", controllers);
    }

    public static CgroupEntry parse(String line) {
        // the path may contain ':', so split into three parts only
        String[] parts = line.split(":", 3);
        if (parts.length != 3) {
            throw new IllegalArgumentException("not a /proc/PID/cgroup line: " + line);
        }
        List<String> controllers = parts[1].isEmpty() ? List.of() : Arrays.asList(parts[1].split(","));
        return new CgroupEntry(Integer.parseInt(parts[0]), controllers, parts[2]);
    }
}
