package io.hotvirt.bench;

import com.sun.jna.LastErrorException;
import com.sun.jna.ptr.IntByReference;
import io.hotvirt.linux.jna.LibC;
import io.hotvirt.linux.proc.Procfs;
import io.hotvirt.linux.process.SpawnRequest;
import io.hotvirt.linux.process.Spawner;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.FileStore;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Deque;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.stream.Stream;

/**
 * What the benchmarks share: the run (its work directory, and the clean-up that runs in
 * {@code finally} and on Ctrl-C), the processes it starts, the C programs it compiles, the machine
 * header, and the memcpy reference.
 */
final class Bench {

    static final int SIGKILL = 9;
    static final int SIGUSR1 = 10;
    static final long MIB = 1L << 20;
    static final long SEED = 0x5eed1234abcdL;

    /** Processes this run started (or restored) and has not reaped yet: killed by the clean-up too. */
    private static final Set<Integer> LIVE = ConcurrentHashMap.newKeySet();

    private Bench() {
    }

    /** Something to undo when the run ends. */
    @FunctionalInterface
    interface Cleanup {
        void run() throws Exception;
    }

    /**
     * One benchmark run: a fresh work directory (under target/, or {@code -Dbench.dir}), the C
     * programs compiled into target/bench-bin, and a clean-up that undoes what was registered (last
     * first), kills every process still live (every child of this JVM) and removes the work
     * directory, both on {@link #close()} and from a shutdown hook on Ctrl-C.
     */
    static final class Run implements AutoCloseable {
        private final Path work;
        private final Path bin;
        private final Deque<Cleanup> undo = new ArrayDeque<>();
        private final Thread hook;

        private Run(Path work, Path bin) {
            this.work = work;
            this.bin = bin;
            this.hook = new Thread(this::cleanup, "bench-cleanup");
            Runtime.getRuntime().addShutdownHook(hook);
        }

        static Run start() throws Exception {
            Path target = targetDir();
            Path work = System.getProperty("bench.dir") == null
                    ? Files.createTempDirectory(target, "bench-run-")
                    : Files.createTempDirectory(Files.createDirectories(Path.of(System.getProperty("bench.dir"))),
                    "hotvirt-bench-");
            Run run = new Run(work, target.resolve("bench-bin"));
            if (!euidIsRoot()) {
                System.out.println("warning: not root; the dump needs process_vm_readv and pagemap of another"
                        + " session's process");
            }
            return run;
        }

        Path work() {
            return work;
        }

        /** Compiles src/main/c/NAME.c (from the classpath) with gcc into target/bench-bin. */
        Path compile(String name) throws Exception {
            Files.createDirectories(bin);
            Path src = bin.resolve(name + ".c");
            try (InputStream in = Bench.class.getResourceAsStream("/c/" + name + ".c")) {
                if (in == null) {
                    throw new IOException("c/" + name + ".c not on the classpath");
                }
                Files.write(src, in.readAllBytes());
            }
            Path out = bin.resolve(name);
            // gcc is a build tool, not a workload: ProcessBuilder is fine for it
            Process gcc = new ProcessBuilder("gcc", "-O2", "-Wall", "-o", out.toString(), src.toString())
                    .redirectErrorStream(true).start();
            String text = new String(gcc.getInputStream().readAllBytes());
            if (!gcc.waitFor(60, TimeUnit.SECONDS) || gcc.exitValue() != 0) {
                throw new IOException("gcc " + src + " failed: " + text);
            }
            return out;
        }

        /**
         * Registers something to undo at the end, last registered first, before the remaining processes
         * are killed and the work directory goes (a cgroup kills and reaps its own processes).
         */
        synchronized void onCleanup(Cleanup c) {
            undo.push(c);
        }

        private synchronized void cleanup() {
            while (!undo.isEmpty()) {
                try {
                    undo.pop().run();
                } catch (Exception e) {
                    System.err.println("clean-up: " + e);
                }
            }
            for (Integer pid : List.copyOf(LIVE)) {
                kill(pid);
            }
            // and any other child of this JVM, e.g. a restore's husk when Ctrl-C came in the middle of it
            for (int pid : Procfs.children((int) ProcessHandle.current().pid())) {
                adopt(pid);
                kill(pid);
            }
            try {
                deleteTree(work);
            } catch (IOException e) {
                System.err.println("could not remove " + work + ": " + e);
            }
        }

        @Override
        public void close() {
            cleanup();
            try {
                Runtime.getRuntime().removeShutdownHook(hook);
            } catch (IllegalStateException ignored) {
                // already shutting down
            }
        }
    }

    // ---- arguments and the machine

    /** The sizes in MiB from the arguments ("256 1024", "256,1024"), default 256 1024 4096. */
    static List<Integer> sizes(String[] args) {
        List<Integer> sizes = new ArrayList<>();
        for (String a : args) {
            for (String s : a.trim().split("[\\s,]+")) {
                if (!s.isEmpty()) {
                    sizes.add(Integer.parseInt(s));
                }
            }
        }
        return sizes.isEmpty() ? List.of(256, 1024, 4096) : sizes;
    }

    /** Why {@code mib} is skipped (MemAvailable under twice the size), or null. */
    static String tooBig(int mib) throws IOException {
        long availMiB = meminfoKiB("MemAvailable") / 1024;
        if (availMiB >= 2L * mib) {
            return null;
        }
        String why = "MemAvailable " + availMiB + " MiB < 2 x " + mib + " MiB";
        System.out.println("skipping " + mib + " MiB: " + why);
        return why;
    }

    static void printMachine(Path work) throws Exception {
        String cpu = Files.readAllLines(Path.of("/proc/cpuinfo")).stream().filter(l -> l.startsWith("model name"))
                .findFirst().map(l -> l.substring(l.indexOf(':') + 1).strip()).orElse("?");
        FileStore store = Files.getFileStore(work);
        System.out.println("date:    " + LocalDate.now());
        System.out.println("machine: " + Runtime.getRuntime().availableProcessors() + " CPUs (" + cpu + "), MemTotal "
                + String.format("%.1f GiB", meminfoKiB("MemTotal") / 1048576.0) + ", MemAvailable "
                + String.format("%.1f GiB", meminfoKiB("MemAvailable") / 1048576.0) + ", kernel "
                + Files.readString(Path.of("/proc/sys/kernel/osrelease")).strip() + ", Java "
                + System.getProperty("java.version"));
        System.out.println("load:    " + Files.readString(Path.of("/proc/loadavg")).strip()
                + " (1, 5, 15 min; another build or test run on this machine skews every figure)");
        System.out.println("images:  " + work + " on " + store.name() + " (" + store.type() + ")"
                + ("tmpfs".equals(store.type()) ? "  WARNING: tmpfs is RAM, not a disk" : ""));
        System.out.println("workload: pages 4 KiB (MADV_NOHUGEPAGE), THP "
                + Files.readString(Path.of("/sys/kernel/mm/transparent_hugepage/enabled")).strip());
    }

    static long meminfoKiB(String key) throws IOException {
        return Files.readAllLines(Path.of("/proc/meminfo")).stream().filter(l -> l.startsWith(key + ":"))
                .map(l -> Long.parseLong(l.split("\\s+")[1])).findFirst().orElseThrow();
    }

    // ---- the memcpy reference

    /** A C memcpy of one size: best of the rounds into touched memory, and once into fresh (untouched) pages. */
    record Memcpy(long bestNanos, long freshNanos) {
        double mibPerSecond(int mib) {
            return mib / (bestNanos / 1e9);
        }
    }

    /** Runs memcpy.c at {@code mib}: both buffers touched first, best of 3; then one copy into fresh pages. */
    static Memcpy memcpy(Path memcpy, int mib, Path work) throws Exception {
        Path log = work.resolve("memcpy-" + mib + ".log");
        int pid = spawn(List.of(memcpy.toString(), Integer.toString(mib), "3"), log, List.of());
        try {
            awaitLine(pid, log, "DONE", 30_000 + 30L * mib);
            List<String> lines = Files.readAllLines(log);
            return new Memcpy(field(lines, "BEST "), field(lines, "FRESH "));
        } finally {
            kill(pid);
            Files.deleteIfExists(log);
        }
    }

    private static long field(List<String> lines, String prefix) {
        return lines.stream().filter(l -> l.startsWith(prefix))
                .mapToLong(l -> Long.parseLong(l.substring(prefix.length()).strip())).findFirst().orElseThrow();
    }

    // ---- processes

    /** Starts {@code argv} (stdout and stderr appended to {@code log}) in the given cgroups. */
    static int spawn(List<String> argv, Path log, List<Path> cgroupProcs) throws IOException {
        int pid = Spawner.spawn(new SpawnRequest(argv, null, log, cgroupProcs));
        LIVE.add(pid);
        return pid;
    }

    /** A process this run did not spawn itself but must kill and reap (a restored child of this JVM). */
    static void adopt(int pid) {
        LIVE.add(pid);
    }

    static void awaitLine(int pid, Path log, String line, long timeoutMillis) throws Exception {
        long deadline = System.currentTimeMillis() + timeoutMillis;
        IntByReference status = new IntByReference();
        while (System.currentTimeMillis() < deadline) {
            if (Files.exists(log) && Files.readAllLines(log).stream().anyMatch(l -> l.strip().equals(line))) {
                return;
            }
            if (LibC.INSTANCE.waitpid(pid, status, LibC.WNOHANG) == pid) {
                LIVE.remove(pid);
                if (Files.readAllLines(log).stream().anyMatch(l -> l.strip().equals(line))) {
                    return;
                }
                throw new IOException(log.getFileName().toString().replace(".log", "") + " exited (status "
                        + status.getValue() + ") before " + line + ": " + Files.readString(log));
            }
            Thread.sleep(10);
        }
        throw new IOException("no " + line + " within " + timeoutMillis + " ms from pid " + pid + ": "
                + Files.readString(log));
    }

    /** Kills and reaps {@code pid} if this run started it and it is not reaped yet. */
    static void kill(int pid) {
        if (!LIVE.contains(pid)) {
            return;
        }
        try {
            LibC.INSTANCE.kill(pid, SIGKILL);
        } catch (LastErrorException ignored) {
            // gone already
        }
        reap(pid);
    }

    /**
     * Reaps {@code pid} (killed by someone else, e.g. the checkpoint) and waits until no process has
     * that PID any more, so that a restore can take it again.
     */
    static void reap(int pid) {
        long deadline = System.currentTimeMillis() + 5000;
        while (System.currentTimeMillis() < deadline) {
            try {
                LibC.INSTANCE.waitpid(pid, new IntByReference(), LibC.WNOHANG);
            } catch (LastErrorException e) {
                // ECHILD: not (or no longer) our child
            }
            if (!Files.exists(Path.of("/proc", Integer.toString(pid)))) {
                break;
            }
            LockSupport.parkNanos(2_000_000);
        }
        LIVE.remove(pid);
    }

    // ---- files

    /** target/ of this module: the parent of target/classes or of the jar. */
    private static Path targetDir() throws Exception {
        return Path.of(Bench.class.getProtectionDomain().getCodeSource().getLocation().toURI()).getParent();
    }

    private static boolean euidIsRoot() throws IOException {
        return Files.readAllLines(Path.of("/proc/self/status")).stream().filter(l -> l.startsWith("Uid:"))
                .map(l -> l.split("\\s+")[2]).findFirst().orElse("").equals("0");
    }

    static void deleteTree(Path p) throws IOException {
        if (!Files.exists(p)) {
            return;
        }
        try (Stream<Path> all = Files.walk(p)) {
            for (Path q : all.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(q);
            }
        }
    }
}
