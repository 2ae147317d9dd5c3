package io.hotvirt.checkpoint;

import io.hotvirt.checkpoint.cpu.ThreadCpu;
import io.hotvirt.checkpoint.cpu.ThreadRegistrations;
import io.hotvirt.checkpoint.files.FileDescription;
import io.hotvirt.checkpoint.files.FileReader;
import io.hotvirt.checkpoint.files.FileTable;
import io.hotvirt.checkpoint.freeze.DomainFreezer;
import io.hotvirt.checkpoint.image.DumpStats;
import io.hotvirt.checkpoint.image.ImageFile;
import io.hotvirt.checkpoint.image.ImageFormat;
import io.hotvirt.checkpoint.image.ImageWriter;
import io.hotvirt.checkpoint.image.NodeKeyStore;
import io.hotvirt.checkpoint.image.PageIndexWriter;
import io.hotvirt.checkpoint.image.ProcessMetadata;
import io.hotvirt.checkpoint.memory.MemoryDumper;
import io.hotvirt.checkpoint.memory.SharedMemoryDumper;
import io.hotvirt.checkpoint.memory.SwapAreas;
import io.hotvirt.checkpoint.signals.ProcessSignals;
import io.hotvirt.checkpoint.signals.SignalDumper;
import io.hotvirt.checkpoint.tree.ProcessRecord;
import io.hotvirt.checkpoint.tree.TreeReader;
import io.hotvirt.linux.cgroup.DomainCgroup;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.IntConsumer;

/**
 * Saves a running domain to an image: freezes it ({@link DomainFreezer}: cgroup freeze, seize and
 * interrupt every thread, thaw), then for every process, parents first, its tree record, the CPU
 * state of every thread, its signal state and its memory (resident pages first, then swapped
 * pages read straight from swap), each shared memory object it maps that is not saved yet (once per
 * domain, {@link SharedMemoryDumper}); then the open files of the whole domain (each shared open file
 * description once, with its priority owner) and the bytes in its pipes. Afterwards every thread
 * is released and the domain runs on ({@link Options#leaveRunning}), or the domain is killed
 * through its cgroup while still stopped, so nothing runs past the checkpoint.
 *
 * <p>On any error every thread is released, the cgroup thawed, the workload keeps running and the
 * partial image is removed; the exception names the process and what was being read or written.
 *
 * <p>With {@code leaveRunning} the domain is released before the manifest is written (it is not
 * kept waiting for the fsyncs); without, the manifest is written first and the domain killed
 * after it, so a failed commit never costs the workload. The frozen time recorded is until the
 * release, respectively until the commit began (the kill follows at once).
 */
public final class DomainCheckpointer {

    private static final int SIGKILL = 9;

    /**
     * @param leaveRunning release the domain afterwards; false kills it
     * @param settings     the domain's capability settings (capability name → settings), saved in
     *                     {@code domain.json} so that a restore puts them in force again
     */
    public record Options(boolean leaveRunning, Map<String, Map<String, String>> settings) {

        public Options {
            settings = settings == null ? Map.of() : Map.copyOf(settings);
        }

        public Options(boolean leaveRunning) {
            this(leaveRunning, Map.of());
        }
    }

    /** Progress while pages are saved: cumulative pages and bytes, and nanoseconds since the dump began. */
    @FunctionalInterface
    public interface Progress {
        void update(long pages, long bytes, long elapsedNanos);

        Progress NONE = (p, b, e) -> { };
    }

    /** What was saved: the committed image, its processes (parents first) and statistics. */
    public record Result(Path image, String domain, List<ProcessRecord> processes, DumpStats stats,
                         boolean leftRunning, List<String> notes) {
    }

    /**
     * {@code domain.json}: which domain, when, how, its tree in brief, and its capability settings
     * (capability name → settings; empty in images made before they were saved).
     */
    public record DomainRecord(String domain, String cgroup, String node, String created, boolean leftRunning,
                               List<Member> processes, List<String> notes,
                               Map<String, Map<String, String>> settings) {

        public DomainRecord {
            settings = settings == null ? Map.of() : settings;
        }

        public record Member(int pid, int ppid, String comm, int threads) {
        }
    }

    /** {@code files.json}: every open file description once, each process's fds, and where pipe data is. */
    public record FilesRecord(String priorityRule, List<FileDescription> descriptions,
                              List<FileTable.ProcessFds> processes, Map<String, String> pipeDataFiles) {
    }

    private final NodeKeyStore keys;
    private final String node;
    private IntConsumer beforeProcess = pid -> { };

    public DomainCheckpointer(NodeKeyStore keys, String node) {
        this.keys = keys;
        this.node = node;
    }

    /** This host's name, for the manifest's {@code node}. */
    public static String hostName() {
        try {
            return Files.readString(Path.of("/proc/sys/kernel/hostname")).strip();
        } catch (IOException e) {
            return "unknown";
        }
    }

    /** Tests: runs before each process is saved, with the threads already stopped. */
    DomainCheckpointer beforeProcess(IntConsumer hook) {
        this.beforeProcess = hook;
        return this;
    }

    /**
     * Checkpoints the domain in {@code cgroup} into the image {@code parent/name}.
     *
     * @throws IOException naming the process and resource on failure; the domain then runs on and
     *                     no image (not even a partial one) is left
     */
    public Result checkpoint(String domain, DomainCgroup cgroup, Path parent, String name, Options options,
                             Progress progress) throws IOException {
        long t0 = System.nanoTime();
        Progress report = progress == null ? Progress.NONE : progress;
        String what = "checkpoint of domain " + domain;
        try (SwapAreas swap = SwapAreas.current();
             ImageWriter writer = create(what, parent, name);
             SharedMemoryDumper shm = new SharedMemoryDumper(writer)) {
            swap.verifyTypes(); // before the freeze: the canary may take a few hundred ms
            DomainFreezer freezer = DomainFreezer.freeze(cgroup); // releases everything itself on failure
            boolean released = false;
            String at = "the domain";
            try {
                List<String> notes = new ArrayList<>();
                Map<Integer, List<Integer>> threads = freezer.threads();
                at = "the process tree";
                List<ProcessRecord> tree = TreeReader.read(threads.keySet());
                DumpStats total = DumpStats.EMPTY;
                long[] pagesSoFar = {0};
                long dumpStart = System.nanoTime();
                for (ProcessRecord r : tree) {
                    int pid = r.pid();
                    at = "process " + pid + " (" + r.comm() + ")";
                    beforeProcess.accept(pid);
                    List<Integer> tids = threads.get(pid);
                    List<ThreadCpu> cpus = new ArrayList<>();
                    for (int tid : tids) {
                        at = "process " + pid + " (" + r.comm() + "), registers of thread " + tid;
                        cpus.add(ThreadCpu.read(freezer.tracer(), tid));
                    }
                    at = "process " + pid + " (" + r.comm() + "), clear_child_tid, robust lists, rseq";
                    cpus = ThreadRegistrations.addTo(freezer.tracer(), freezer.injector(pid), pid, cpus);
                    at = "process " + pid + " (" + r.comm() + "), signal state";
                    ProcessSignals signals = SignalDumper.dump(freezer.tracer(), freezer.injector(pid), pid, tids);
                    at = "process " + pid + " (" + r.comm() + "), memory into " + ImageFormat.pagesFile(pid);
                    List<ProcessMetadata.Area> areas;
                    DumpStats stats;
                    try (ImageFile pages = writer.file(ImageFormat.pagesFile(pid));
                         ImageFile indexFile = writer.file(ImageFormat.pageIndexFile(pid));
                         PageIndexWriter index = new PageIndexWriter(indexFile);
                         MemoryDumper dumper = new MemoryDumper(pid, pages, index, swap)) {
                        dumper.onPages(n -> {
                            pagesSoFar[0] += n;
                            report.update(pagesSoFar[0], pagesSoFar[0] * ImageFormat.PAGE_SIZE,
                                    System.nanoTime() - dumpStart);
                        });
                        areas = dumper.dump();
                        stats = dumper.stats();
                        for (String reason : dumper.fallbackReasons()) {
                            if (!notes.contains(reason)) {
                                notes.add(reason);
                            }
                        }
                    }
                    total = total.plus(stats);
                    at = "process " + pid + " (" + r.comm() + "), its shared memory";
                    shm.save(pid, areas);
                    at = "process " + pid + " (" + r.comm() + "), writing " + ImageFormat.processFile(pid);
                    writer.json(ImageFormat.processFile(pid),
                            new ProcessMetadata(pid, r.comm(), r.exe(), r, cpus, signals, areas, stats));
                }
                report.update(pagesSoFar[0], pagesSoFar[0] * ImageFormat.PAGE_SIZE, System.nanoTime() - dumpStart);

                at = ImageFormat.SHARED_MEMORY;
                writer.json(ImageFormat.SHARED_MEMORY, shm.record());

                at = "the open files of the domain";
                FileTable files = FileReader.read(threads.keySet());
                Map<String, String> pipeFiles = new TreeMap<>();
                for (Map.Entry<String, byte[]> e : new TreeMap<>(files.pipeData()).entrySet()) {
                    String file = ImageFormat.pipeDataFile(e.getKey());
                    at = "the pipe data file " + file;
                    try (ImageFile f = writer.file(file)) {
                        f.writeFully(ByteBuffer.wrap(e.getValue()));
                    }
                    pipeFiles.put(e.getKey(), file);
                }
                at = ImageFormat.FILES;
                writer.json(ImageFormat.FILES, new FilesRecord(files.priorityRule(), files.descriptions(),
                        files.processes(), pipeFiles));
                at = ImageFormat.DOMAIN;
                List<DomainRecord.Member> members = tree.stream()
                        .map(r -> new DomainRecord.Member(r.pid(), r.ppid(), r.comm(), threads.get(r.pid()).size()))
                        .toList();
                writer.json(ImageFormat.DOMAIN, new DomainRecord(domain, cgroup.path(), node, Instant.now().toString(),
                        options.leaveRunning(), members, notes, options.settings()));

                List<Integer> pids = tree.stream().map(ProcessRecord::pid).toList();
                Path image;
                if (options.leaveRunning()) {
                    at = "releasing the domain";
                    freezer.close();
                    released = true;
                    long frozen = freezer.frozenNanos() / 1_000_000;
                    at = "writing the manifest";
                    image = writer.commit(pids, total.withTimes(frozen, (System.nanoTime() - t0) / 1_000_000));
                } else {
                    at = "writing the manifest";
                    long frozen = freezer.frozenNanos() / 1_000_000;
                    image = writer.commit(pids, total.withTimes(frozen, (System.nanoTime() - t0) / 1_000_000));
                    try {
                        kill(cgroup, freezer);
                    } catch (IOException e) {
                        throw new IOException(what + ": the image " + image + " is complete, but killing the domain"
                                + " failed (" + e.getMessage() + "); the domain was released and runs on", e);
                    } finally {
                        released = true;
                        freezer.close();
                    }
                }
                return new Result(image, domain, tree, readStats(image, total), options.leaveRunning(), notes);
            } catch (IOException | RuntimeException | Error e) {
                if (!released) {
                    try {
                        freezer.close();
                    } catch (IOException | RuntimeException t) {
                        e.addSuppressed(t);
                    }
                }
                if (e instanceof IOException io && io.getMessage() != null && io.getMessage().startsWith(what)) {
                    throw io;
                }
                if (e instanceof Error err) {
                    throw err;
                }
                throw new IOException(what + " failed at " + at + ": " + e.getMessage()
                        + " — every thread was released, the domain runs on, and no image was kept", e);
            }
        } catch (IOException e) {
            if (e.getMessage() != null && e.getMessage().startsWith(what)) {
                throw e;
            }
            throw new IOException(what + " failed: " + e.getMessage() + " — the domain runs on, no image was kept", e);
        }
    }

    /**
     * Kills the domain so that not one instruction runs past the checkpoint: freeze the cgroup
     * (the threads, in ptrace-stop, count as frozen), detach every thread — each goes from its
     * ptrace-stop straight into the freezer — SIGKILL every process, thaw. Detaching before the
     * kill matters: a killed tracee leaves its exit to be reaped by the tracer, and the tracer
     * would then reap the domain's root in place of its real parent (the monitor), which is the
     * one that records the exit.
     */
    private static void kill(DomainCgroup cgroup, DomainFreezer freezer) throws IOException {
        cgroup.freeze();
        try {
            for (int tid : freezer.allThreads()) {
                freezer.tracer().detach(tid);
            }
            cgroup.signal(SIGKILL); // stays frozen: it was frozen before
        } finally {
            cgroup.thaw();
        }
    }

    private ImageWriter create(String what, Path parent, String name) throws IOException {
        try {
            return ImageWriter.create(parent, name, keys, node);
        } catch (IOException e) {
            throw new IOException(what + ": cannot create the image " + parent.resolve(name) + " ("
                    + e.getClass().getSimpleName() + ": " + e.getMessage() + "); the domain was not touched", e);
        }
    }

    private static DumpStats readStats(Path image, DumpStats fallback) {
        try {
            return io.hotvirt.checkpoint.image.ManifestCodec.read(Files.readAllBytes(image.resolve(ImageFormat.MANIFEST)))
                    .stats();
        } catch (IOException e) {
            return fallback;
        }
    }
}
