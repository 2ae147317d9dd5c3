package io.hotvirt.checkpoint.freeze;

import com.sun.jna.LastErrorException;
import com.sun.jna.ptr.IntByReference;
import io.hotvirt.linux.jna.LibC;
import io.hotvirt.linux.proc.Procfs;
import io.hotvirt.linux.process.SpawnRequest;
import io.hotvirt.linux.process.Spawner;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The signals.c workload: built with gcc into target/ on first use, spawned with {@link Spawner}
 * (never ProcessBuilder), killed and reaped on close.
 */
public final class SignalsWorkload implements AutoCloseable {

    private static final Path SOURCE = Path.of("src/test/resources/workloads/signals.c");
    private static final Path BINARY = Path.of("target/workloads/signals");

    public final int pid;
    public final long handler;
    public final long altStack;
    public final long altStackSize;
    public final int sigrt;
    private final Path log;

    private SignalsWorkload(int pid, String text, Path log) {
        this.pid = pid;
        this.log = log;
        String[] h = line(text, "HANDLER ");
        String[] a = line(text, "ALTSTACK ");
        this.handler = Long.parseUnsignedLong(h[1], 16);
        this.altStack = Long.parseUnsignedLong(a[1], 16);
        this.altStackSize = Long.parseLong(a[2]);
        this.sigrt = Integer.parseInt(line(text, "SIGRT ")[1]);
    }

    private static String[] line(String text, String prefix) {
        return text.lines().filter(l -> l.startsWith(prefix)).findFirst().orElseThrow().split(" ");
    }

    static synchronized Path binary() throws IOException, InterruptedException {
        if (Files.exists(BINARY) && Files.getLastModifiedTime(BINARY).compareTo(Files.getLastModifiedTime(SOURCE)) > 0) {
            return BINARY.toAbsolutePath();
        }
        Files.createDirectories(BINARY.getParent());
        // gcc is a build tool, not a workload: ProcessBuilder is fine for it
        Process gcc = new ProcessBuilder("gcc", "-O2", "-Wall", "-pthread", "-o", BINARY.toString(), SOURCE.toString())
                .redirectErrorStream(true).start();
        String out = new String(gcc.getInputStream().readAllBytes());
        if (!gcc.waitFor(60, TimeUnit.SECONDS) || gcc.exitValue() != 0) {
            throw new IOException("gcc failed: " + out);
        }
        return BINARY.toAbsolutePath();
    }

    /** Starts the workload (in the cgroups given) and waits for READY and its 4 threads. */
    public static SignalsWorkload start(List<Path> cgroupProcs, Path logDir) throws Exception {
        Path bin = binary();
        Path log = logDir.resolve("signals-" + System.nanoTime() + ".log");
        int pid = Spawner.spawn(new SpawnRequest(List.of(bin.toString()), null, log, cgroupProcs));
        long deadline = System.currentTimeMillis() + 10_000;
        try {
            while (System.currentTimeMillis() < deadline) {
                String text = Files.exists(log) ? Files.readString(log) : "";
                if (text.contains("READY") && Procfs.tasks(pid).size() == 4) {
                    SignalsWorkload w = new SignalsWorkload(pid, text, log);
                    pid = -1;
                    return w;
                }
                Thread.sleep(10);
            }
            throw new AssertionError("signals workload not READY with 4 threads: " + Files.readString(log));
        } finally {
            if (pid > 0) {
                kill(pid);
            }
        }
    }

    /** Sends SIGUSR1 and returns the workload's verdict line (PASS or FAIL ...). */
    public String selfCheck(long timeoutMillis) throws Exception {
        long before = verdicts().size();
        LibC.INSTANCE.kill(pid, 10);
        long deadline = System.currentTimeMillis() + timeoutMillis;
        while (System.currentTimeMillis() < deadline) {
            List<String> v = verdicts();
            if (v.size() > before) {
                return v.get(v.size() - 1);
            }
            Thread.sleep(10);
        }
        return "no verdict within " + timeoutMillis + " ms: " + Files.readString(log);
    }

    private List<String> verdicts() throws IOException {
        return Files.readString(log).lines().filter(l -> l.startsWith("PASS") || l.startsWith("FAIL")).toList();
    }

    @Override
    public void close() {
        kill(pid);
    }

    public static void kill(int pid) {
        try {
            LibC.INSTANCE.kill(pid, 9);
        } catch (LastErrorException ignored) {
            // gone
        }
        IntByReference status = new IntByReference();
        long deadline = System.currentTimeMillis() + 5000;
        while (System.currentTimeMillis() < deadline) {
            try {
                if (LibC.INSTANCE.waitpid(pid, status, LibC.WNOHANG | LibC.__WALL) == pid) {
                    return;
                }
            } catch (LastErrorException e) {
                return; // ECHILD
            }
            try {
                Thread.sleep(2);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }
}
