package io.hotvirt.bench;

import io.hotvirt.checkpoint.ProcessCheckpoint;
import io.hotvirt.checkpoint.image.DumpStats;
import io.hotvirt.checkpoint.image.ImageVerifier;
import io.hotvirt.checkpoint.image.NodeKeyStore;
import io.hotvirt.linux.jna.LibC;
import io.hotvirt.linux.proc.Procfs;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.List;

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

    private static final int SIGCONT = 18;
    private static final int SIGSTOP = 19;
    private static final long MIB = Bench.MIB;
    private static final long SEED = Bench.SEED;

    private record Result(int mib, String skipped, DumpStats stats, double memcpyMiBs, double diskMiBs,
                          long verifyMillis, String selfCheck, long readyMillis) {
    }

    private CheckpointBench() {
    }

    public static void main(String[] args) throws Exception {
        List<Integer> sizes = Bench.sizes(args);
        try (Bench.Run run = Bench.Run.start()) {
            Path work = run.work();
            Path pattern = run.compile("pattern");
            Path memcpy = run.compile("memcpy");
            Bench.printMachine(work);
            System.out.println("stop:    SIGSTOP");
            double sha = sha256MiBs();
            System.out.printf("reference: SHA-256 in this JVM (the image files are hashed as written): %.0f MiB/s%n%n", sha);

            List<Result> results = new ArrayList<>();
            for (int mib : sizes) {
                String skipped = Bench.tooBig(mib);
                if (skipped != null) {
                    results.add(new Result(mib, skipped, null, 0, 0, 0, null, 0));
                    continue;
                }
                System.out.println("== " + mib + " MiB");
                double mc = Bench.memcpy(memcpy, mib, work).mibPerSecond(mib);
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
        }
    }

    // ---- the checkpoint itself

    private static Result checkpoint(Path pattern, int mib, Path work, double memcpy, double disk) throws Exception {
        Path log = work.resolve("pattern-" + mib + ".log");
        Path images = work.resolve("images");
        long t0 = System.nanoTime();
        int pid = Bench.spawn(List.of(pattern.toString(), Integer.toString(mib), Long.toString(SEED)), log, List.of());
        try {
            Bench.awaitLine(pid, log, "READY", 20_000 + 15L * mib);
            long ready = (System.nanoTime() - t0) / 1_000_000;
            NodeKeyStore keys = new NodeKeyStore(work.resolve("key"));
            ProcessCheckpoint.Outcome o = ProcessCheckpoint.dump(pid, images, "bench-" + mib, keys, "bench",
                    sigstop(pid));
            if (!o.swapFallbackReasons().isEmpty()) {
                System.out.println("   swap fallbacks: " + o.swapFallbackReasons());
            }
            String check = new LogTail(log).signalAndAwait(pid, Bench.SIGUSR1, 20_000 + 10L * mib, "PASS", "FAIL").line();
            long v = System.nanoTime();
            ImageVerifier.Result vr = new ImageVerifier(keys).verify(o.image());
            long verify = (System.nanoTime() - v) / 1_000_000;
            if (!vr.ok()) {
                throw new IllegalStateException("image does not verify: " + vr);
            }
            if (!check.equals("PASS")) {
                throw new IllegalStateException("workload self-check after the checkpoint: " + check);
            }
            Bench.deleteTree(o.image());
            return new Result(mib, null, o.stats(), memcpy, disk, verify, check, ready);
        } finally {
            Bench.kill(pid);
            Bench.deleteTree(images);
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

    // ---- references

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
}
