package io.hotvirt.checkpoint;

import io.hotvirt.checkpoint.cpu.ThreadCpu;
import io.hotvirt.checkpoint.cpu.ThreadRegistrations;
import io.hotvirt.checkpoint.files.FileDescription;
import io.hotvirt.checkpoint.files.FileReader;
import io.hotvirt.checkpoint.files.FileTable;
import io.hotvirt.checkpoint.freeze.DomainFreezer;
import io.hotvirt.checkpoint.freeze.Survivors;
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
import io.hotvirt.checkpoint.tree.SeccompCheck;
import io.hotvirt.checkpoint.tree.TreeReader;
import io.hotvirt.linux.cgroup.DomainCgroup;
import io.hotvirt.linux.jna.LibC;
import io.hotvirt.linux.jna.Syscall;
import io.hotvirt.linux.proc.Procfs;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.function.IntConsumer;

import static io.hotvirt.linux.process.Signals.SIGCONT;
import static io.hotvirt.linux.process.Signals.SIGKILL;

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
 * partial image is removed; the exception names the process and what was being read or written,
 * and any process or thread that ended meanwhile ({@link Survivors}): a dump never says the domain
 * runs on when part of it died. A left-running domain is checked the same way as it is released
 * ({@link Result#ended}). A domain with a process under seccomp is refused before anything is
 * touched ({@link SeccompCheck}), and checked again once frozen.
 *
 * <p>Only reading the state happens while the domain is stopped: the metadata files, the pipe
 * data, the checksums and fsyncs of every file and the manifest come after. With
 * {@code leaveRunning} the domain is released as soon as its state is read; without, it stays
 * stopped until the image is committed and is killed after it, so a failed commit never costs the
 * workload. {@link DumpPhases} in the result tells where the time went, and the true frozen and
 * total times (the manifest, written at the commit, holds them as they were then).
 */
public final class DomainCheckpointer {

    /**
     * @param leaveRunning release the domain afterwards; false kills it
     * @param settings     the domain's capability settings (capability name → settings), saved in
     *                     {@code domain.json} so that a restore puts them in force again
     * @param freezeTimeout how long the domain's cgroup may take to freeze
     * @param seizeTimeout how long each thread may take to stop once seized
     */
    public record Options(boolean leaveRunning, Map<String, Map<String, String>> settings, Duration freezeTimeout,
                          Duration seizeTimeout) {

        public Options {
            settings = settings == null ? Map.of() : Map.copyOf(settings);
            freezeTimeout = freezeTimeout == null ? DomainCgroup.DEFAULT_FREEZE_TIMEOUT : freezeTimeout;
            seizeTimeout = seizeTimeout == null ? DomainFreezer.DEFAULT_STOP_TIMEOUT : seizeTimeout;
        }

        public Options(boolean leaveRunning, Map<String, Map<String, String>> settings) {
            this(leaveRunning, settings, null, null);
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

    /**
     * What was saved: the committed image, its processes (parents first) and statistics (as the
     * manifest holds them: up to the commit); {@code phases} has the true end-to-end times.
     *
     * @param ended with {@code leftRunning}, each process or thread of the domain that ended during the
     *              dump (checked as it was released); empty when the whole domain runs on
     */
    public record Result(Path image, String domain, List<ProcessRecord> processes, DumpStats stats,
                         boolean leftRunning, List<String> notes, DumpPhases phases, List<String> ended) {

        public Result {
            ended = ended == null ? List.of() : List.copyOf(ended);
        }

        /** What became of the domain, in words: "left running", "killed after the checkpoint", or what ended. */
        public String fate() {
            if (!leftRunning) {
                return "killed after the checkpoint";
            }
            if (ended.isEmpty()) {
                return "left running";
            }
            long gone = ended.stream().filter(e -> e.startsWith("process ")).count();
            String rest = gone == processes.size() ? "none of its processes runs on"
                    : gone > 0 ? "the rest runs on" : "its processes run on";
            return "released, but not all of it runs on: " + String.join("; ", ended) + " (" + rest + ")";
        }
    }

    /**
     * {@code domain.json}: which domain, when, how, its tree in brief, and its capability settings
     * (capability name → settings; empty in images made before they were saved).
     */
    public record DomainRecord(String domain, String cgroup, String node, String created, boolean leftRunning,
                               List<Member> processes, List<String> notes,
                               Map<String, Map<String, String>> settings, List<String> command) {

        public DomainRecord {
            settings = settings == null ? Map.of() : settings;
        }

        /** Images made before the root's command line was saved. */
        public DomainRecord(String domain, String cgroup, String node, String created, boolean leftRunning,
                            List<Member> processes, List<String> notes, Map<String, Map<String, String>> settings) {
            this(domain, cgroup, node, created, leftRunning, processes, notes, settings, null);
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
    private Runnable afterRelease = () -> { };

    public DomainCheckpointer(NodeKeyStore keys, String node) {
        this.keys = keys;
        this.node = node;
    }

    /** This host's name, for the manifest's {@code node}. */
    public static String hostName() {
        try {
            return Procfs.sysctl("kernel/hostname");
        } catch (IOException e) {
            return "unknown";
        }
    }

    /** Tests: runs before each process is saved, with the threads already stopped. */
    DomainCheckpointer beforeProcess(IntConsumer hook) {
        this.beforeProcess = hook;
        return this;
    }

    /** A test hook: runs once a --leave-running dump has released the domain. */
    DomainCheckpointer afterRelease(Runnable hook) {
        this.afterRelease = hook;
        return this;
    }

    /**
     * Checkpoints the domain in {@code cgroup} into the image {@code parent/name}. Refuses, before
     * touching anything, a domain with a process under seccomp ({@link SeccompCheck}).
     *
     * @throws IOException naming the process and resource on failure; the domain then runs on and
     *                     no image (not even a partial one) is left
     */
    public Result checkpoint(String domain, DomainCgroup cgroup, Path parent, String name, Options options,
                             Progress progress) throws IOException {
        DumpPhases phases = new DumpPhases();
        Progress report = progress == null ? Progress.NONE : progress;
        String what = "checkpoint of domain " + domain;
        Optional<String> confined = SeccompCheck.confined(cgroup.pids());
        if (confined.isPresent()) {
            throw new IOException(what + " refused: " + confined.get() + ". The domain was not touched.");
        }
        try (SwapAreas swap = SwapAreas.current();
             ImageWriter writer = create(what, parent, name);
             SharedMemoryDumper shm = new SharedMemoryDumper(writer)) {
            swap.verifyTypes(); // before the freeze: the canary may take a few hundred ms
            phases.end(DumpPhases.PREPARE);
            // releases everything itself on failure
            DomainFreezer freezer = DomainFreezer.freeze(cgroup, options.freezeTimeout(), options.seizeTimeout());
            phases.end(DumpPhases.FREEZE, freezer.cgroupFrozenNanos(), DumpPhases.STOPS);
            Survivors survivors = Survivors.of(freezer);
            boolean released = false;
            String at = "the domain";
            try {
                List<String> notes = new ArrayList<>();
                Map<String, Object> metadata = new LinkedHashMap<>(); // JSON files, written once the state is read
                Map<Integer, List<Integer>> threads = freezer.threads();
                at = "the process tree";
                List<ProcessRecord> tree = TreeReader.read(threads.keySet()).stream()
                        .map(r -> r.withStopSignal(freezer.stopSignals().get(r.pid()))).toList();
                confined = SeccompCheck.confined(threads.keySet()); // again, now that nothing can change: no race
                if (confined.isPresent()) {
                    throw new IOException(what + " refused: " + confined.get() + " (it entered seccomp as the dump"
                            + " began)");
                }
                List<String> rootCommand = Procfs.cmdline(tree.get(0).pid()); // a restore places the tree before its memory
                phases.end(DumpPhases.TREE);
                at = "the shared memory objects of the domain";
                for (ProcessRecord r : tree) {
                    shm.lookAhead(r.pid()); // before any read: what is in swap now
                }
                DumpStats total = DumpStats.EMPTY;
                long[] pagesSoFar = {0};
                long dumpStart = System.nanoTime();
                for (ProcessRecord r : tree) {
                    int pid = r.pid();
                    at = "process " + pid + " (" + r.comm() + ")";
                    beforeProcess.accept(pid);
                    phases.start();
                    List<Integer> tids = threads.get(pid);
                    at = "process " + pid + " (" + r.comm() + "), registers of its threads";
                    List<ThreadCpu> cpus = freezer.tracer().execute(() -> { // on the tracer thread: no hand-offs
                        List<ThreadCpu> out = new ArrayList<>();
                        for (int tid : tids) {
                            out.add(ThreadCpu.read(freezer.tracer(), tid));
                        }
                        return out;
                    });
                    at = "process " + pid + " (" + r.comm() + "), clear_child_tid, robust lists, rseq";
                    cpus = ThreadRegistrations.addTo(freezer.tracer(), freezer.injector(pid), pid, cpus);
                    phases.end(DumpPhases.REGISTERS);
                    at = "process " + pid + " (" + r.comm() + "), dumpable";
                    ProcessRecord record = r.withPrivileges(r.privileges().withDumpable((int) freezer.injector(pid)
                            .call(pid, "prctl(PR_GET_DUMPABLE)", Syscall.PRCTL, LibC.PR_GET_DUMPABLE)));
                    at = "process " + pid + " (" + r.comm() + "), signal state";
                    ProcessSignals signals = SignalDumper.dump(freezer.tracer(), freezer.injector(pid), pid, tids);
                    if (record.stopped() && continued(signals)) {
                        // a SIGCONT came during the dump: released it runs on, and so must a restore
                        record = record.withStopSignal(null);
                    }
                    phases.end(DumpPhases.SIGNALS);
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
                        for (String reason : concat(dumper.fallbackReasons(), dumper.notes())) {
                            if (!notes.contains(reason)) {
                                notes.add(reason);
                            }
                        }
                    }
                    phases.end(DumpPhases.MEMORY);
                    total = total.plus(stats);
                    at = "process " + pid + " (" + r.comm() + "), its shared memory";
                    shm.save(pid, areas);
                    phases.end(DumpPhases.SHM);
                    metadata.put(ImageFormat.processFile(pid),
                            new ProcessMetadata(pid, r.comm(), r.exe(), record, cpus, signals, areas, stats));
                }
                report.update(pagesSoFar[0], pagesSoFar[0] * ImageFormat.PAGE_SIZE, System.nanoTime() - dumpStart);
                metadata.put(ImageFormat.SHARED_MEMORY, shm.record());
                total = total.plus(shm.stats()); // shared memory is saved per domain, not per process
                for (String reason : shm.fallbackReasons()) {
                    if (!notes.contains(reason)) {
                        notes.add(reason);
                    }
                }

                at = "the open files of the domain";
                FileTable files = FileReader.read(threads.keySet());
                phases.end(DumpPhases.FILES);
                String created = Instant.now().toString();
                // everything the image needs is read: the rest only writes what is held here

                List<Integer> pids = tree.stream().map(ProcessRecord::pid).toList();
                Path image;
                List<String> ended = List.of();
                if (options.leaveRunning()) { // the checksums, fsyncs and metadata below need no stopped domain
                    at = "releasing the domain";
                    freezer.close();
                    released = true;
                    phases.end(DumpPhases.RELEASE);
                    afterRelease.run();
                    // at once: what ends later ends on its own (a short-lived child), not by the dump
                    ended = survivors.ended();
                }
                Map<String, String> pipeFiles = new TreeMap<>();
                for (Map.Entry<String, byte[]> e : new TreeMap<>(files.pipeData()).entrySet()) {
                    String file = ImageFormat.pipeDataFile(e.getKey());
                    at = "the pipe data file " + file;
                    try (ImageFile f = writer.file(file)) {
                        f.writeFully(ByteBuffer.wrap(e.getValue()));
                    }
                    pipeFiles.put(e.getKey(), file);
                }
                phases.end(DumpPhases.PIPES);
                metadata.put(ImageFormat.FILES, new FilesRecord(files.priorityRule(), files.descriptions(),
                        files.processes(), pipeFiles));
                List<DomainRecord.Member> members = tree.stream()
                        .map(r -> new DomainRecord.Member(r.pid(), r.ppid(), r.comm(), threads.get(r.pid()).size()))
                        .toList();
                metadata.put(ImageFormat.DOMAIN, new DomainRecord(domain, cgroup.path(), node, created,
                        options.leaveRunning(), members, notes, options.settings(), rootCommand));
                for (Map.Entry<String, Object> e : metadata.entrySet()) {
                    at = "writing " + e.getKey();
                    writer.json(e.getKey(), e.getValue());
                }
                phases.end(DumpPhases.METADATA);

                at = "writing the manifest";
                // the manifest can only hold the times so far: the summary shows them to the end (phases)
                image = writer.commit(pids, total.withTimes(phases.frozenMillis(), phases.totalMillis()));
                phases.end(DumpPhases.COMMIT);
                if (!options.leaveRunning()) {
                    IOException killFailed = null;
                    try {
                        kill(cgroup, freezer);
                        phases.end(DumpPhases.KILL);
                    } catch (IOException e) {
                        killFailed = e;
                    } finally {
                        released = true;
                        freezer.close();
                    }
                    if (killFailed != null) { // told once released: whatever the kill did reach has ended
                        throw new IOException(what + ": the image " + image + " is complete, but killing the domain"
                                + " failed (" + killFailed.getMessage() + "); the domain was released, "
                                + fate(survivors), killFailed);
                    }
                }
                phases.finish();
                return new Result(image, domain, tree, readStats(image, total), options.leaveRunning(), notes,
                        phases, ended);
            } catch (IOException | RuntimeException | Error e) {
                if (!released) {
                    try {
                        freezer.close();
                    } catch (IOException | RuntimeException t) {
                        e.addSuppressed(t);
                    }
                }
                if (e instanceof Error err) {
                    throw err;
                }
                String fate = fate(survivors);
                if (e instanceof IOException io && io.getMessage() != null && io.getMessage().startsWith(what)) {
                    if (io.getMessage().contains("runs on")) {
                        throw io; // says already what became of the domain
                    }
                    throw new IOException(io.getMessage() + " — every thread was released, " + fate
                            + ", and no image was kept", io);
                }
                throw new IOException(what + " failed at " + at + ": " + e.getMessage()
                        + " — every thread was released, " + fate + ", and no image was kept", e);
            } finally {
                survivors.close();
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

    /**
     * Whether a SIGCONT waits in the saved signals: sent to a stopped tracee it is queued (a tracer
     * sees even ignored signals) and it ended the stop, though the tracee stays in its ptrace-stop.
     */
    private static boolean continued(ProcessSignals signals) {
        return signals.sharedPending().stream().anyMatch(q -> q.signo() == SIGCONT)
                || signals.threads().stream().anyMatch(t -> t.pending().stream().anyMatch(q -> q.signo() == SIGCONT));
    }


    /** "the domain runs on", or which of it ended: a dump never claims a domain runs on when part of it died. */
    private static String fate(Survivors survivors) {
        List<String> ended = survivors.ended();
        if (ended.isEmpty()) {
            return "the domain runs on";
        }
        return (survivors.processesEnded() == survivors.processes() ? "but no process of the domain runs on any more: "
                : "but not all of the domain runs on: ") + String.join("; ", ended);
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

    private static List<String> concat(List<String> a, List<String> b) {
        List<String> all = new ArrayList<>(a);
        all.addAll(b);
        return all;
    }
}
