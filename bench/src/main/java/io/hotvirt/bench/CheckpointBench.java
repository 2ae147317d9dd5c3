package io.hotvirt.bench;

import com.sun.jna.LastErrorException;
import com.sun.jna.ptr.IntByReference;
import io.hotvirt.checkpoint.ProcessCheckpoint;
import io.hotvirt.checkpoint.image.DumpStats;
import io.hotvirt.checkpoint.image.ImageVerifier;
import io.hotvirt.checkpoint.image.NodeKeyStore;
import io.hotvirt.linux.jna.LibC;
import io.hotvirt.linux.proc.Procfs;
import io.hotvirt.linux.process.SpawnRequest;
import io.hotvirt.linux.process.Spawner;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.FileStore;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * Checkpoint benchmark (issue 4, "Benchmark"). For each size in MiB: a C workload touches that much
 * anonymous memory with a pattern, is stopped with SIGSTOP, dumped with {@link ProcessCheckpoint}
 * (which drives the MemoryDumper) into an image on a real disk, resumed, self-checked, the image
 * verified with {@link ImageVerifier}, and the workload killed. Beside it, in the same run and at the
 * same size: a plain memcpy (C, both buffers touched first, best of 3) and a plain sequential write
 * to the same file system (FileChannel write + force).
 *
 * <p>Usage: {@code CheckpointBench [MIB ...]} (default 256 1024 4096). System properties:
 * {@code bench.dir} where the images and the disk-write file go (default: a fresh directory under
 * target/, which is on the project's disk). Needs root (process_vm_readv and pagemap of a process
 * in another session). Everything it starts or writes is removed when it ends, also on Ctrl-C.
 */
public final class CheckpointBench {

    private static final int SIGKILL = 9;
    private static final int SIGUSR1 = 10;
    private static final int SIGCONT = 18;
    private static final int SIGSTOP = 19;
    private static final long MIB = 1L << 20;
    private static final long SEED = 0x5eed1234abcdL;

    /** Processes this run started and has not reaped yet: killed by the shutdown hook too. */
    private static final Set<Integer> LIVE = ConcurrentHashMap.newKeySet();

    private record Result(int mib, String skipped, DumpStats stats, double memcpyMiBs, double diskMiBs,
                          long verifyMillis, String selfCheck, long readyMillis) {
    }

    private CheckpointBench() {
    }

    public static void main(String[] args) throws Exception {
        List<Integer> sizes = new ArrayList<>();
        for (String a : args) {
            for (String s : a.trim().split("[\\s,]+")) {
                if (!s.isEmpty()) {
                    sizes.add(Integer.parseInt(s));
                }
            }
        }
        if (sizes.isEmpty()) {
            sizes = List.of(256, 1024, 4096);
        }
        Path target = targetDir();
        Path work = System.getProperty("bench.dir") == null
                ? Files.createTempDirectory(target, "bench-run-")
                : Files.createTempDirectory(Files.createDirectories(Path.of(System.getProperty("bench.dir"))), "hotvirt-bench-");
        Thread hook = new Thread(() -> cleanup(work), "bench-cleanup");
        Runtime.getRuntime().addShutdownHook(hook);
        try {
            if (!euidIsRoot()) {
                System.out.println("warning: not root; the dump needs process_vm_readv and pagemap of another session's process");
            }
            Path bin = Files.createDirectories(target.resolve("bench-bin"));
            Path pattern = compile("pattern", bin);
            Path memcpy = compile("memcpy", bin);
            printMachine(work);
            double sha = sha256MiBs();
            System.out.printf("reference: SHA-256 in this JVM (the image files are hashed as written): %.0f MiB/s%n%n", sha);

            List<Result> results = new ArrayList<>();
            for (int mib : sizes) {
                long availMiB = meminfoKiB("MemAvailable") / 1024;
                if (availMiB < 2L * mib) {
                    String why = "MemAvailable " + availMiB + " MiB < 2 x " + mib + " MiB";
                    System.out.println("skipping " + mib + " MiB: " + why);
                    results.add(new Result(mib, why, null, 0, 0, 0, null, 0));
                    continue;
                }
                System.out.println("== " + mib + " MiB");
                double mc = memcpyMiBs(memcpy, mib, work);
                System.out.printf("   memcpy (best of 3):     %8.0f MiB/s%n", mc);
                double disk = diskWriteMiBs(work, mib);
                System.out.printf("   disk write + force:     %8.0f MiB/s%n", disk);
                Result r = checkpoint(pattern, mib, work, mc, disk);
                DumpStats s = r.stats;
                System.out.printf("   workload READY after %d ms; checkpoint frozen %d ms, total %d ms, %d resident pages,"
                                + " %d swapped, %d MiB written; image verified in %d ms; workload self-check: %s%n",
                        r.readyMillis, s.frozenMillis(), s.totalMillis(), s.residentPages(), s.swappedPages(),
                        s.bytes() / MIB, r.verifyMillis, r.selfCheck);
                results.add(r);
            }
            printTable(results);
        } finally {
            cleanup(work);
            try {
                Runtime.getRuntime().removeShutdownHook(hook);
            } catch (IllegalStateException ignored) {
                // already shutting down
            }
        }
    }

    // ---- the checkpoint itself

    private static Result checkpoint(Path pattern, int mib, Path work, double memcpy, double disk) throws Exception {
        Path log = work.resolve("pattern-" + mib + ".log");
        Path images = work.resolve("images");
        long t0 = System.nanoTime();
        int pid = spawn(List.of(pattern.toString(), Integer.toString(mib), Long.toString(SEED)), log);
        try {
            awaitLine(pid, log, "READY", 20_000 + 15L * mib);
            long ready = (System.nanoTime() - t0) / 1_000_000;
            NodeKeyStore keys = new NodeKeyStore(work.resolve("key"));
            ProcessCheckpoint.Outcome o = ProcessCheckpoint.dump(pid, images, "bench-" + mib, keys, "bench",
                    sigstop(pid));
            if (!o.swapFallbackReasons().isEmpty()) {
                System.out.println("   swap fallbacks: " + o.swapFallbackReasons());
            }
            String check = selfCheck(pid, log, 20_000 + 10L * mib);
            long v = System.nanoTime();
            ImageVerifier.Result vr = new ImageVerifier(keys).verify(o.image());
            long verify = (System.nanoTime() - v) / 1_000_000;
            if (!vr.ok()) {
                throw new IllegalStateException("image does not verify: " + vr);
            }
            if (!check.equals("PASS")) {
                throw new IllegalStateException("workload self-check after the checkpoint: " + check);
            }
            deleteTree(o.image());
            return new Result(mib, null, o.stats(), memcpy, disk, verify, check, ready);
        } finally {
            kill(pid);
            deleteTree(images);
            Files.deleteIfExists(log);
        }
    }

    private static ProcessCheckpoint.Stopper sigstop(int pid) {
        return new ProcessCheckpoint.Stopper() {
            @Override
            public void stop() throws IOException {
                LibC.INSTANCE.kill(pid, SIGSTOP);
                long deadline = System.currentTimeMillis() + 5000;
                while (Procfs.stat(pid).map(st -> st.state()).orElse('?') != 'T') {
                    if (System.currentTimeMillis() > deadline) {
                        throw new IOException("process " + pid + " did not stop");
                    }
                    Thread.onSpinWait();
                }
            }

            @Override
            public void resume() {
                LibC.INSTANCE.kill(pid, SIGCONT);
            }
        };
    }

    private static String selfCheck(int pid, Path log, long timeoutMillis) throws Exception {
        LibC.INSTANCE.kill(pid, SIGUSR1);
        long deadline = System.currentTimeMillis() + timeoutMillis;
        while (System.currentTimeMillis() < deadline) {
            for (String l : Files.readAllLines(log)) {
                if (l.startsWith("PASS") || l.startsWith("FAIL")) {
                    return l.strip();
                }
            }
            Thread.sleep(20);
        }
        return "no verdict within " + timeoutMillis + " ms";
    }

    // ---- references

    /** A C memcpy of the same size: both buffers touched first, best of 3 rounds. */
    private static double memcpyMiBs(Path memcpy, int mib, Path work) throws Exception {
        Path log = work.resolve("memcpy-" + mib + ".log");
        int pid = spawn(List.of(memcpy.toString(), Integer.toString(mib), "3"), log);
        try {
            awaitLine(pid, log, "DONE", 30_000 + 30L * mib);
            long best = Files.readAllLines(log).stream().filter(l -> l.startsWith("BEST "))
                    .mapToLong(l -> Long.parseLong(l.substring(5).strip())).findFirst().orElseThrow();
            return mib / (best / 1e9);
        } finally {
            kill(pid);
            Files.deleteIfExists(log);
        }
    }

    /** A sequential write of the same size to the same file system, 1 MiB at a time (as the dumper), then force. */
    private static double diskWriteMiBs(Path work, int mib) throws IOException {
        Path f = work.resolve("disk-write-" + mib + ".bin");
        ByteBuffer buf = ByteBuffer.allocateDirect((int) MIB);
        long x = SEED;
        while (buf.remaining() >= 8) { // not zeros, not compressible
            x ^= x << 13;
            x ^= x >>> 7;
            x ^= x << 17;
            buf.putLong(x);
        }
        try (FileChannel ch = FileChannel.open(f, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
            long t = System.nanoTime();
            for (int i = 0; i < mib; i++) {
                buf.clear();
                while (buf.hasRemaining()) {
                    ch.write(buf);
                }
            }
            ch.force(true);
            return mib / ((System.nanoTime() - t) / 1e9);
        } finally {
            Files.deleteIfExists(f);
        }
    }

    /** SHA-256 throughput of this JVM over 1 MiB direct buffers (the image writer hashes every byte). */
    private static double sha256MiBs() throws Exception {
        ByteBuffer buf = ByteBuffer.allocateDirect((int) MIB);
        while (buf.hasRemaining()) {
            buf.put((byte) buf.position());
        }
        double best = 0;
        for (int round = 0; round < 4; round++) { // the first round warms the JIT
            MessageDigest md = MessageDigest.getInstance("SHA-256");
            long t = System.nanoTime();
            for (int i = 0; i < 256; i++) {
                buf.clear();
                md.update(buf);
            }
            md.digest();
            best = Math.max(best, 256 / ((System.nanoTime() - t) / 1e9));
        }
        return best;
    }

    // ---- output

    private static void printMachine(Path work) throws Exception {
        String cpu = Files.readAllLines(Path.of("/proc/cpuinfo")).stream().filter(l -> l.startsWith("model name"))
                .findFirst().map(l -> l.substring(l.indexOf(':') + 1).strip()).orElse("?");
        FileStore store = Files.getFileStore(work);
        System.out.println("date:    " + LocalDate.now());
        System.out.println("machine: " + Runtime.getRuntime().availableProcessors() + " CPUs (" + cpu + "), MemTotal "
                + String.format("%.1f GiB", meminfoKiB("MemTotal") / 1048576.0) + ", MemAvailable "
                + String.format("%.1f GiB", meminfoKiB("MemAvailable") / 1048576.0) + ", kernel "
                + Files.readString(Path.of("/proc/sys/kernel/osrelease")).strip() + ", Java "
                + System.getProperty("java.version"));
        System.out.println("images:  " + work + " on " + store.name() + " (" + store.type() + ")"
                + ("tmpfs".equals(store.type()) ? "  WARNING: tmpfs is RAM, not a disk" : ""));
        System.out.println("stop:    SIGSTOP; workload pages 4 KiB (MADV_NOHUGEPAGE), THP "
                + Files.readString(Path.of("/sys/kernel/mm/transparent_hugepage/enabled")).strip());
    }

    private static void printTable(List<Result> results) {
        System.out.println();
        System.out.println("size     | frozen   | total    | dump MiB/s | memcpy MiB/s | disk write MiB/s | dump/memcpy | dump/disk");
        System.out.println("---------|----------|----------|------------|--------------|------------------|-------------|----------");
        for (Result r : results) {
            String size = String.format("%-8s", r.mib + " MiB");
            if (r.skipped != null) {
                System.out.println(size + " | skipped: " + r.skipped);
                continue;
            }
            DumpStats s = r.stats;
            double dump = (s.bytes() / (double) MIB) / (s.totalMillis() / 1000.0);
            System.out.printf("%s | %6.2f s | %6.2f s | %10.0f | %12.0f | %16.0f | %10.3f  | %8.2f%n", size,
                    s.frozenMillis() / 1000.0, s.totalMillis() / 1000.0, dump, r.memcpyMiBs, r.diskMiBs,
                    dump / r.memcpyMiBs, dump / r.diskMiBs);
        }
        System.out.println();
        System.out.println("dump MiB/s = page data written / total (stop, dump, resume, fsync, manifest, commit);"
                + " frozen MiB/s: " + String.join(", ", results.stream().filter(r -> r.skipped == null)
                .map(r -> String.format("%d MiB %.0f", r.mib, (r.stats.bytes() / (double) MIB)
                        / (r.stats.frozenMillis() / 1000.0))).toList()));
    }

    // ---- processes

    private static int spawn(List<String> argv, Path log) throws IOException {
        int pid = Spawner.spawn(new SpawnRequest(argv, null, log, List.of()));
        LIVE.add(pid);
        return pid;
    }

    private static void awaitLine(int pid, Path log, String line, long timeoutMillis) throws Exception {
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
                throw new IOException(argvOf(log) + " exited (status " + status.getValue() + ") before " + line + ": "
                        + Files.readString(log));
            }
            Thread.sleep(10);
        }
        throw new IOException("no " + line + " within " + timeoutMillis + " ms from pid " + pid + ": "
                + Files.readString(log));
    }

    private static String argvOf(Path log) {
        return log.getFileName().toString().replace(".log", "");
    }

    /** Kills and reaps {@code pid} if this run started it and it is not reaped yet. */
    private static void kill(int pid) {
        if (!LIVE.contains(pid)) {
            return;
        }
        try {
            LibC.INSTANCE.kill(pid, SIGKILL);
        } catch (LastErrorException ignored) {
            // gone already
        }
        IntByReference status = new IntByReference();
        long deadline = System.currentTimeMillis() + 5000;
        while (System.currentTimeMillis() < deadline) {
            try {
                if (LibC.INSTANCE.waitpid(pid, status, LibC.WNOHANG) == pid) {
                    break;
                }
            } catch (LastErrorException e) {
                break; // ECHILD
            }
            try {
                Thread.sleep(2);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        LIVE.remove(pid);
    }

    private static void cleanup(Path work) {
        for (Integer pid : List.copyOf(LIVE)) {
            kill(pid);
        }
        try {
            deleteTree(work);
        } catch (IOException e) {
            System.err.println("could not remove " + work + ": " + e);
        }
    }

    // ---- files and tools

    /** target/ of this module: the parent of target/classes or of the jar. */
    private static Path targetDir() throws Exception {
        Path here = Path.of(CheckpointBench.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        return here.getParent();
    }

    /** Compiles src/main/c/NAME.c (from the classpath) with gcc into {@code bin}. */
    private static Path compile(String name, Path bin) throws Exception {
        Path src = bin.resolve(name + ".c");
        try (InputStream in = CheckpointBench.class.getResourceAsStream("/c/" + name + ".c")) {
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

    private static boolean euidIsRoot() throws IOException {
        return Files.readAllLines(Path.of("/proc/self/status")).stream().filter(l -> l.startsWith("Uid:"))
                .map(l -> l.split("\\s+")[2]).findFirst().orElse("").equals("0");
    }

    private static long meminfoKiB(String key) throws IOException {
        return Files.readAllLines(Path.of("/proc/meminfo")).stream().filter(l -> l.startsWith(key + ":"))
                .map(l -> Long.parseLong(l.split("\\s+")[1])).findFirst().orElseThrow();
    }

    private static void deleteTree(Path p) throws IOException {
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
