package io.hotvirt.bench;

import io.hotvirt.checkpoint.DomainCheckpointer;
import io.hotvirt.checkpoint.image.DumpStats;
import io.hotvirt.checkpoint.image.NodeKeyStore;
import io.hotvirt.checkpoint.restore.DomainRestorer;
import io.hotvirt.checkpoint.restore.MemoryRestorer;
import io.hotvirt.linux.cgroup.Cgroups;
import io.hotvirt.linux.cgroup.DomainCgroup;
import io.hotvirt.linux.proc.Procfs;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Restore benchmark (issue 5, "Benchmark"). For each size in MiB: the pattern workload fills that
 * much anonymous memory in a cgroup of its own; {@link DomainCheckpointer} dumps it into an image on
 * the disk and kills it; then {@link DomainRestorer} brings it back from that image, zero-copy and
 * copying (and zero-copy once more after dropping the page cache, with {@code -Dbench.cold=true}, the
 * default). Each restore is timed three ways: the restore call itself; until the workload runs again
 * (restore start until it answers SIGUSR2 with ALIVE, which touches none of its buffer); and its
 * first full pass over its memory (SIGUSR1 until PASS, which for zero-copy includes the page faults
 * that map the page file's cached pages). Beside it, in the same run and at the same size, a plain
 * memcpy: best of 3 into touched memory, and once into fresh pages.
 *
 * <p>Usage: {@code RestoreBench [MIB ...]} (default 256 1024 4096); {@code -Dbench.dir} as for
 * {@link CheckpointBench}; {@code -Dbench.warmup=MIB} one untabulated round first so that the JIT has
 * compiled the dump and restore paths (default 16, 0 for none). Needs root and a cgroup hierarchy. Everything it starts or writes (processes,
 * images, the cgroup) is removed when it ends, also on Ctrl-C.
 */
public final class RestoreBench {

    private static final int SIGUSR2 = 12;

    /** One restore's times: the restore's own phases (ns) and the workload's answers (ms). */
    record Restore(long verifyNanos, long memoryNanos, long totalNanos, double runningMillis, double passMillis) {
    }

    /** One size: the checkpoint, the restores (cold may be null) and the memcpy reference. */
    record Row(int mib, String skipped, DumpStats dump, Restore zeroCopy, Restore copy, Restore cold,
               Bench.Memcpy memcpy) {
    }

    private final Path work;
    private final Path pattern;
    private final DomainCgroup cgroup;
    private final NodeKeyStore keys;
    private final List<String> husk;
    private final boolean cold;

    private RestoreBench(Path work, Path pattern, DomainCgroup cgroup, boolean cold) throws IOException {
        this.work = work;
        this.pattern = pattern;
        this.cgroup = cgroup;
        this.keys = new NodeKeyStore(work.resolve("key"));
        this.husk = List.of(Files.exists(Path.of("/usr/bin/sleep")) ? "/usr/bin/sleep" : "/bin/sleep", "infinity");
        this.cold = cold;
    }

    public static void main(String[] args) throws Exception {
        List<Integer> sizes = Bench.sizes(args);
        try (Bench.Run run = Bench.Run.start()) {
            Path pattern = run.compile("pattern");
            Path memcpy = run.compile("memcpy");
            DomainCgroup cgroup = Cgroups.detect().create("hotvirt-bench-" + ProcessHandle.current().pid());
            run.onCleanup(() -> removeCgroup(cgroup));
            boolean cold = Boolean.parseBoolean(System.getProperty("bench.cold", "true"))
                    && Files.isWritable(Path.of("/proc/sys/vm/drop_caches"));
            RestoreBench bench = new RestoreBench(run.work(), pattern, cgroup, cold);
            Bench.printMachine(run.work());
            System.out.println("dump:    DomainCheckpointer (cgroup freeze + ptrace), workload killed after the dump;"
                    + " restore: DomainRestorer, same PID, cgroup " + cgroup.path());
            System.out.println("cache:   the image's page file is in the page cache for the warm restores (just"
                    + " written by the dump)" + (cold ? "; the cold row drops it first (drop_caches)" : ""));
            System.out.println();

            int warmup = Integer.getInteger("bench.warmup", 16);
            if (warmup > 0) {
                System.out.println("== warm-up at " + warmup + " MiB (JIT; not in the table)");
                bench.measure(warmup, Bench.memcpy(memcpy, warmup, run.work()));
            }
            List<Row> rows = new ArrayList<>();
            for (int mib : sizes) {
                String skipped = Bench.tooBig(mib);
                if (skipped != null) {
                    rows.add(new Row(mib, skipped, null, null, null, null, null));
                    continue;
                }
                System.out.println("== " + mib + " MiB");
                Bench.Memcpy mc = Bench.memcpy(memcpy, mib, run.work());
                System.out.printf("   memcpy: best of 3 %.1f ms (%.0f MiB/s), into fresh pages %.1f ms%n",
                        mc.bestNanos() / 1e6, mc.mibPerSecond(mib), mc.freshNanos() / 1e6);
                rows.add(bench.measure(mib, mc));
            }
            RestoreTable.print(rows, cold);
        }
    }

    private Row measure(int mib, Bench.Memcpy memcpy) throws Exception {
        Path log = work.resolve("pattern-" + mib + ".log");
        Path images = work.resolve("images");
        int pid = Bench.spawn(List.of(pattern.toString(), Integer.toString(mib), Long.toString(Bench.SEED)), log,
                cgroup.procsFiles());
        try {
            Bench.awaitLine(pid, log, "READY", 20_000 + 15L * mib);
            DomainCheckpointer.Result dump = new DomainCheckpointer(keys, "bench").checkpoint("bench-" + mib, cgroup,
                    images, "bench-" + mib, new DomainCheckpointer.Options(false), null);
            Bench.reap(pid); // killed by the checkpoint: reap it so that the restore can take its PID again
            long logSize = Files.size(log);
            DumpStats s = dump.stats();
            System.out.printf("   dump: frozen %d ms, total %d ms, %d MiB written%n", s.frozenMillis(),
                    s.totalMillis(), s.bytes() / Bench.MIB);
            Restore zeroCopy = restore(dump.image(), MemoryRestorer.Mode.ZERO_COPY, pid, log, logSize, mib, "zero-copy");
            Restore copy = restore(dump.image(), MemoryRestorer.Mode.COPY, pid, log, logSize, mib, "copy");
            Restore coldZeroCopy = null;
            if (cold) {
                Files.writeString(Path.of("/proc/sys/vm/drop_caches"), "3");
                coldZeroCopy = restore(dump.image(), MemoryRestorer.Mode.ZERO_COPY, pid, log, logSize, mib,
                        "zero-copy, cold");
            }
            return new Row(mib, null, s, zeroCopy, copy, coldZeroCopy, memcpy);
        } finally {
            Bench.kill(pid);
            Bench.deleteTree(images);
            Files.deleteIfExists(log);
        }
    }

    /**
     * Restores the image, times the workload's ALIVE and PASS, then kills and reaps the restored
     * process. The workload's log (its stdout, which the restore reopens) is first cut back to the
     * size it had at the checkpoint: the restore refuses a regular file whose size changed since.
     */
    private Restore restore(Path image, MemoryRestorer.Mode mode, int pid, Path log, long logSize, int mib,
                            String label) throws Exception {
        try (FileChannel ch = FileChannel.open(log, StandardOpenOption.WRITE)) {
            ch.truncate(logSize);
        }
        LogTail tail = new LogTail(log);
        long[] verified = {0};
        long t0 = System.nanoTime();
        Bench.adopt(pid); // the restore brings it back as this JVM's child: killed and reaped in the end
        try {
            DomainRestorer.Result r = new DomainRestorer(keys, husk).restore(image,
                    new DomainRestorer.Options(false, mode), this::place, line -> {
                        if (verified[0] == 0) {
                            verified[0] = System.nanoTime(); // the first step is "Verified ..."
                        }
                    });
            if (r.rootPid() != pid) {
                throw new IllegalStateException(label + " restore: root " + r.rootPid() + ", expected " + pid);
            }
            LogTail.Answer alive = tail.signalAndAwait(pid, SIGUSR2, 10_000, "ALIVE");
            LogTail.Answer pass = tail.signalAndAwait(pid, Bench.SIGUSR1, 30_000 + 20L * mib, "PASS", "FAIL");
            if (!pass.line().equals("PASS")) {
                throw new IllegalStateException(label + " restore: workload self-check " + pass.line());
            }
            Restore out = new Restore(verified[0] - t0, r.memoryNanos(), r.nanos(), (alive.seenNanos() - t0) / 1e6,
                    pass.millis());
            System.out.printf("   restore %-15s verify %6.1f ms, memory %6.1f ms, resume %5.2f ms, total %7.1f ms;"
                            + " running after %7.1f ms; first full pass %7.1f ms: %s%n", label + ":",
                    out.verifyNanos / 1e6, out.memoryNanos / 1e6, r.resumeNanos() / 1e6, out.totalNanos / 1e6,
                    out.runningMillis, out.passMillis, pass.line());
            return out;
        } finally {
            Bench.kill(pid);
        }
    }

    /** The restored tree, still stopped, goes into the bench's cgroup (the restorer resumes it there). */
    private Optional<DomainCgroup> place(int root) throws IOException {
        Bench.adopt(root);
        cgroup.add(root);
        for (int pid : Procfs.descendants(root)) {
            cgroup.add(pid);
        }
        return Optional.of(cgroup);
    }

    private static void removeCgroup(DomainCgroup cgroup) throws Exception {
        if (!cgroup.exists()) {
            return;
        }
        if (cgroup.frozen()) {
            cgroup.thaw();
        }
        cgroup.signal(Bench.SIGKILL);
        for (int pid : cgroup.pids()) {
            Bench.reap(pid); // our children: they leave the cgroup once reaped
        }
        cgroup.remove();
    }
}
