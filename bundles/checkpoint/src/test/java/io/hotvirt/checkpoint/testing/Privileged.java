package io.hotvirt.checkpoint.testing;

import org.junit.Assume;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.Assert.fail;

/**
 * Kernel tests that need a privilege skip without it — unless the build says privileges are
 * required ({@code -Dhotvirt.requirePrivileged=1}, from HOTVIRT_REQUIRE_PRIVILEGED=1 as on CI):
 * then they fail. Same rule as bundles/linux's test helper of that name.
 */
public final class Privileged {

    private Privileged() {
    }

    public static boolean required() {
        return "1".equals(System.getProperty("hotvirt.requirePrivileged"))
                || "1".equals(System.getenv("HOTVIRT_REQUIRE_PRIVILEGED"));
    }

    public static void assume(String what) {
        assume(what, root());
    }

    public static void assume(String what, boolean available) {
        if (available) {
            return;
        }
        if (required()) {
            fail(what + " is not available here, and hotvirt.requirePrivileged=1 says kernel tests must run");
        }
        Assume.assumeTrue(what + " is not available here: skipped", false);
    }

    public static boolean root() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (line.startsWith("Uid:")) {
                    return line.split("\\s+")[2].equals("0");
                }
            }
        } catch (IOException e) {
            return false;
        }
        return false;
    }
}
