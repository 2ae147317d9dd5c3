package io.hotvirt.checkpoint.testing;

import com.sun.jna.LastErrorException;
import com.sun.jna.ptr.IntByReference;
import io.hotvirt.linux.jna.LibC;
import io.hotvirt.linux.testing.Children;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collection;

import static org.junit.Assert.assertTrue;

/** Ends of processes a test did not spawn itself: restored ones, or orphans of killed workloads. */
public final class Reaping {

    private Reaping() {
    }

    /** SIGKILL to each, quietly (gone already is fine). */
    public static void kill(Collection<Integer> pids) {
        for (int pid : pids) {
            try {
                LibC.INSTANCE.kill(pid, 9);
            } catch (LastErrorException ignored) {
                // gone
            }
        }
    }

    /** Waits until {@code pid} is gone, reaping it if it is (or became, as an orphan) this JVM's child. */
    public static void reapGone(int pid) {
        long deadline = System.currentTimeMillis() + 5_000;
        while (Files.exists(Path.of("/proc", Integer.toString(pid)))) {
            try {
                LibC.INSTANCE.waitpid(pid, new IntByReference(), LibC.WNOHANG);
            } catch (LastErrorException notOurs) {
                // someone else reaps it
            }
            assertTrue("process " + pid + " still exists", System.currentTimeMillis() < deadline);
            Children.sleep(5);
        }
    }
}
