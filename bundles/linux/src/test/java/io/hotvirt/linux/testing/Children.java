package io.hotvirt.linux.testing;

import com.sun.jna.LastErrorException;
import com.sun.jna.ptr.IntByReference;
import io.hotvirt.linux.jna.LibC;
import io.hotvirt.linux.proc.Procfs;
import io.hotvirt.linux.process.SpawnRequest;
import io.hotvirt.linux.process.Spawner;
import org.junit.rules.ExternalResource;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.function.BooleanSupplier;

/**
 * Child processes of a test, started with {@link Spawner} (never ProcessBuilder, whose reaper
 * would interfere with ptrace and waitid). After the test each one's whole session is SIGKILLed
 * and the child reaped, whatever happened.
 */
public final class Children extends ExternalResource {

    static {
        // Orphaned grandchildren (a shell's background jobs) are re-parented to this JVM instead of
        // PID 1, so they can be reaped here too: a container's PID 1 may never reap them.
        LibC.INSTANCE.prctl(LibC.PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0);
    }

    private final List<Integer> pids = new ArrayList<>();

    public int spawn(String... argv) throws IOException {
        return spawn(new SpawnRequest(List.of(argv), null, null, List.of()));
    }

    public int spawn(SpawnRequest request) throws IOException {
        int pid = Spawner.spawn(request);
        pids.add(pid);
        return pid;
    }

    public int spawnLogged(Path log, String... argv) throws IOException {
        return spawn(new SpawnRequest(List.of(argv), null, log, List.of()));
    }

    /**
     * Runs a tool to its end (mkswap, swapon, cc …) with its output in {@code log}.
     *
     * @throws IOException with the tool's output if it fails or takes longer than the timeout
     */
    public void run(Path log, long timeoutMillis, String... argv) throws IOException {
        Files.deleteIfExists(log);
        int pid = spawnLogged(log, argv);
        int status;
        try {
            status = waitExit(pid, timeoutMillis);
        } catch (AssertionError e) {
            throw new IOException(String.join(" ", argv) + ": " + e.getMessage() + "\n" + read(log));
        }
        pids.remove(Integer.valueOf(pid));
        if (status != 0) {
            throw new IOException(String.join(" ", argv) + " failed (wait status " + status + "):\n" + read(log));
        }
    }

    /** Waits for the child to exit and reaps it; returns the raw wait status. */
    public static int waitExit(int pid, long timeoutMillis) {
        IntByReference status = new IntByReference();
        long deadline = System.currentTimeMillis() + timeoutMillis;
        while (true) {
            try {
                if (LibC.INSTANCE.waitpid(pid, status, LibC.WNOHANG) == pid) {
                    return status.getValue();
                }
            } catch (LastErrorException e) {
                throw new AssertionError("waitpid(" + pid + "): errno " + e.getErrorCode(), e);
            }
            if (System.currentTimeMillis() > deadline) {
                throw new AssertionError("process " + pid + " did not exit within " + timeoutMillis + " ms");
            }
            sleep(5);
        }
    }

    /** Polls until the condition holds, or fails after the timeout. */
    public static void await(String what, long timeoutMillis, BooleanSupplier condition) {
        long deadline = System.currentTimeMillis() + timeoutMillis;
        while (!condition.getAsBoolean()) {
            if (System.currentTimeMillis() > deadline) {
                throw new AssertionError("timed out after " + timeoutMillis + " ms waiting for " + what);
            }
            sleep(5);
        }
    }

    /** Whether the process exists and is not a zombie. */
    public static boolean alive(int pid) {
        return Procfs.stat(pid).map(s -> !s.dead()).orElse(false);
    }

    /** The file's content, or "" if it cannot be read (a log that was never written). */
    public static String read(Path file) {
        try {
            return Files.readString(file);
        } catch (IOException e) {
            return "";
        }
    }

    public static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    @Override
    protected void after() {
        killAll();
    }

    /** Kills and reaps every child now (an @After that cleans up cgroups calls this first). */
    public void killAll() {
        Set<Integer> all = new LinkedHashSet<>();
        for (int pid : pids) {
            all.addAll(Procfs.descendants(pid));
            all.add(pid);
        }
        for (int pid : pids) {
            killQuietly(-pid); // Spawner starts each child in its own process group: kill the whole group
        }
        for (int pid : all) {
            killQuietly(pid);
        }
        for (int pid : all) {
            reapQuietly(pid);
        }
        pids.clear();
    }

    private static void killQuietly(int target) {
        try {
            LibC.INSTANCE.kill(target, 9);
        } catch (LastErrorException ignored) {
            // gone already
        }
    }

    private static void reapQuietly(int pid) {
        IntByReference status = new IntByReference();
        long deadline = System.currentTimeMillis() + 5_000;
        while (System.currentTimeMillis() < deadline) {
            try {
                if (LibC.INSTANCE.waitpid(pid, status, LibC.WNOHANG | LibC.__WALL) == pid) {
                    return;
                }
            } catch (LastErrorException e) {
                // ECHILD: reaped elsewhere (a ChildReaper under test), or an orphan not yet re-parented
            }
            if (Procfs.stat(pid).isEmpty()) {
                return;
            }
            sleep(2);
        }
    }
}
