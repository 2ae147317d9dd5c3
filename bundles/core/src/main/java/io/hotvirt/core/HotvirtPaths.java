package io.hotvirt.core;

import org.osgi.framework.BundleContext;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;

/** Where hotvirt keeps its state, and the cgroup subtree it owns. */
final class HotvirtPaths {

    /** System property naming hotvirt's cgroup subtree; tests use their own so they never meet a user's. */
    static final String CGROUP_ROOT_PROPERTY = "hotvirt.cgroup.root";

    private HotvirtPaths() {
    }

    /** {@code ${karaf.data}/hotvirt}, mode 0700: it holds logs and, later, images of process memory. */
    static Path dataDir(BundleContext context) throws IOException {
        String karafData = context.getProperty("karaf.data");
        Path base = karafData != null ? Path.of(karafData) : context.getDataFile("").toPath();
        Path dir = base.resolve("hotvirt");
        Files.createDirectories(dir);
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwx------"));
        return dir;
    }

    static String cgroupRoot() {
        String root = System.getProperty(CGROUP_ROOT_PROPERTY, "hotvirt");
        if (!root.matches("[A-Za-z0-9][A-Za-z0-9_.-]*")) {
            throw new IllegalArgumentException(CGROUP_ROOT_PROPERTY + "=" + root + " is not a plain directory name");
        }
        return root;
    }
}
