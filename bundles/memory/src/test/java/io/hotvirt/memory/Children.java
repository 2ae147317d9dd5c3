package io.hotvirt.memory;

import com.sun.jna.LastErrorException;
import com.sun.jna.ptr.IntByReference;
import io.hotvirt.linux.jna.LibC;
import io.hotvirt.linux.proc.Procfs;
import io.hotvirt.linux.process.SpawnRequest;
import io.hotvirt.linux.process.Spawner;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.BooleanSupplier;

/**
 * Child processes of a test, started with {@link Spawner} (never ProcessBuilder) and reaped with
 * waitpid on their own pids. {@link #close()} SIGKILLs each one's whole session and reaps it.
 */
final class Children implements AutoCloseable {

    private final List<Integer> pids = new ArrayList<>();

    int spawn(SpawnRequest request) throws IOException {
        int pid = Spawner.spawn(request);
        pids.add(pid);
        return pid;
    }

    /**
     * Runs a tool to its end (mkswap, swapon, cc …) with its output in {@code log}.
     *
     * @throws IOException with the tool's output if it fails or takes longer than the timeout
     */
    void run(Path log, long timeoutMillis, String... argv) throws IOException {
        Files.deleteIfExists(log);
        int pid = spawn(new SpawnRequest(List.of(argv), null, log, List.of()));
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

    /** Waits for a child to exit and reaps it; returns the raw wait status. */
    static int waitExit(int pid, long timeoutMillis) {
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
    static void await(String what, long timeoutMillis, BooleanSupplier condition) {
        long deadline = System.currentTimeMillis() + timeoutMillis;
        while (!condition.getAsBoolean()) {
            if (System.currentTimeMillis() > deadline) {
                throw new AssertionError("timed out after " + timeoutMillis + " ms waiting for " + what);
            }
            sleep(10);
        }
    }

    static boolean alive(int pid) {
        return Procfs.stat(pid).map(s -> !s.dead()).orElse(false);
    }

    static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    static String read(Path file) {
        try {
            return Files.readString(file);
        } catch (IOException e) {
            return "";
        }
    }

    @Override
    public void close() {
        for (int pid : pids) {
            kill(-pid); // Spawner starts each child in a session and process group of its own
            kill(pid);
        }
        for (int pid : pids) {
            reap(pid);
        }
        pids.clear();
    }

    private static void kill(int target) {
        try {
            LibC.INSTANCE.kill(target, 9);
        } catch (LastErrorException ignored) {
            // gone already
        }
    }

    private static void reap(int pid) {
        IntByReference status = new IntByReference();
        long deadline = System.currentTimeMillis() + 10_000;
        while (System.currentTimeMillis() < deadline) {
            try {
                if (LibC.INSTANCE.waitpid(pid, status, LibC.WNOHANG) == pid) {
                    return;
                }
            } catch (LastErrorException e) {
                return; // not our child any more
            }
            sleep(5);
        }
    }
}
