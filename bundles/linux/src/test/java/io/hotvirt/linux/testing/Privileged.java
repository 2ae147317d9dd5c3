package io.hotvirt.linux.testing;

import io.hotvirt.linux.cgroup.Cgroups;
import org.junit.Assume;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.Assert.fail;

/**
 * Kernel tests that need a privilege skip without it — unless the build says privileges are
 * required ({@code -Dhotvirt.requirePrivileged=1}, passed from HOTVIRT_REQUIRE_PRIVILEGED=1 as on
 * CI): then they fail, so a CI machine that lost a privilege cannot pass by skipping.
 */
public final class Privileged {

    private Privileged() {
    }

    public static boolean required() {
        return "1".equals(System.getProperty("hotvirt.requirePrivileged"))
                || "1".equals(System.getenv("HOTVIRT_REQUIRE_PRIVILEGED"));
    }

    /** Skips (or fails, when required) unless this runs as root. */
    public static void assume(String what) {
        assume(what, root());
    }

    /** Skips (or fails, when required) unless {@code available}. */
    public static void assume(String what, boolean available) {
        if (available) {
            return;
        }
        if (required()) {
            fail(what + " is not available here, and hotvirt.requirePrivileged=1 says kernel tests must run");
        }
        Assume.assumeTrue(what + " is not available here: skipped", false);
    }

    /** Root and a writable cgroup hierarchy. */
    public static Cgroups assumeCgroups() {
        assume("root (to manage cgroups)");
        Cgroups cgroups;
        try {
            cgroups = Cgroups.detect();
        } catch (IOException e) {
            assume("a mounted cgroup filesystem (" + e.getMessage() + ")", false);
            return null;
        }
        boolean writable = cgroups.mounts().values().stream().allMatch(Files::isWritable) && !cgroups.mounts().isEmpty();
        assume("writable cgroup hierarchies " + cgroups.mounts().values(), writable);
        return cgroups;
    }

    /**
     * Root, a writable cgroup hierarchy, and {@code controller} (such as "memory") in it: a v1
     * hierarchy of its own, or enabled in the v2 hierarchy.
     */
    public static Cgroups assumeController(String controller) {
        Cgroups cgroups = assumeCgroups();
        Path v2 = cgroups.mounts().get("");
        boolean present = cgroups.mounts().containsKey(controller)
                || v2 != null && controllers(v2).contains(" " + controller + " ");
        assume("the " + controller + " cgroup controller", present);
        return cgroups;
    }

    /** The v2 hierarchy's controllers, space-separated with a space at either end. */
    private static String controllers(Path v2) {
        try {
            return " " + Files.readString(v2.resolve("cgroup.controllers")).strip() + " ";
        } catch (IOException e) {
            return "";
        }
    }

    public static boolean root() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (line.startsWith("Uid:")) {
                    return line.split("\\s+")[2].equals("0"); // the effective uid
                }
            }
        } catch (IOException e) {
            return false;
        }
        return false;
    }
}
