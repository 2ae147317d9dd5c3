package io.hotvirt.linux.cgroup;

import java.nio.file.Path;
import java.util.List;

/**
 * A mounted cgroup hierarchy hotvirt may use.
 *
 * @param key         v1: the controller list as /proc/PID/cgroup writes it ({@code "cpu,cpuacct"});
 *                    v2: ""
 * @param controllers v1: the controllers of the hierarchy; v2: those in the root's cgroup.controllers
 * @param root        the cgroup mounted at {@code mountPoint}, normally "/"
 */
record Hierarchy(String key, List<String> controllers, Path mountPoint, String root, boolean v2) {

    Hierarchy {
        controllers = List.copyOf(controllers);
    }

    boolean has(String controller) {
        return key.equals(controller) || controllers.contains(controller);
    }

    /** The directory of a path relative to the mount point, such as "hotvirt/w1". */
    Path dir(String relativePath) {
        return relativePath.isEmpty() ? mountPoint : mountPoint.resolve(relativePath);
    }

    /**
     * The directory of a cgroup path as /proc/PID/cgroup shows it ("/user.slice/x"). If a sub-tree
     * is mounted (root is not "/"), paths under it are taken relative to it.
     */
    Path dirOfCgroupPath(String cgroupPath) {
        String p = cgroupPath;
        if (!root.equals("/") && (p.equals(root) || p.startsWith(root + "/"))) {
            p = p.substring(root.length());
        }
        while (p.startsWith("/")) {
            p = p.substring(1);
        }
        return dir(p);
    }

    /** The cgroup path /proc/PID/cgroup shows for a directory made at {@code relativePath}. */
    String cgroupPath(String relativePath) {
        return (root.equals("/") ? "" : root) + "/" + relativePath;
    }

    @Override
    public String toString() {
        return (v2 ? "cgroup2" : key) + " at " + mountPoint;
    }
}
