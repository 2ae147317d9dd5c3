package io.hotvirt.checkpoint.restore;

import io.hotvirt.checkpoint.image.ImageVerifier;
import io.hotvirt.checkpoint.image.NodeKeyStore;
import io.hotvirt.linux.cgroup.DomainCgroup;

import io.hotvirt.linux.ptrace.Tracer;
import io.hotvirt.shell.Counted;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/**
 * Brings a domain back from an image: verifies it (checksums and MAC) before anything is created,
 * recreates the process tree from a husk with the original PIDs, restores every process's memory,
 * threads, files, signals and identity while all of them stay stopped, hands the stopped tree to
 * {@link Placement} (the domain's cgroup and capability settings), then resumes every process together.
 * On any failure every process made so far is killed and reaped: nothing half-restored lives on.
 */
public final class DomainRestorer {

    /** How to restore. */
    public record Options(boolean newPidNamespace, MemoryRestorer.Mode memory) {
    }

    /** Where the restore is, for the user: a step name and a line about it. */
    @FunctionalInterface
    public interface Progress {
        void step(String line);

        Progress NONE = line -> { };
    }

    /**
     * Called once the tree exists (every process, stopped, none of its resources yet): puts it where
     * it belongs (the core adopts it into the domain's cgroup and applies the saved capability
     * settings) and returns the cgroup. Before the memory, so that the memory restore brings in is
     * charged to the domain's cgroup, within its limit, not to this container's. The cgroup is frozen
     * while the processes are released so that they resume together. Throwing aborts the restore
     * (every process is killed).
     */
    @FunctionalInterface
    public interface Placement {
        Optional<DomainCgroup> place(int rootPid) throws IOException;
    }

    /**
     * What was restored.
     *
     * @param rootPid   the domain's root as this (the container's) PID namespace sees it; with a new
     *                  PID namespace, that namespace's init, which holds the restored tree
     * @param pids      the restored processes as the image numbers them (their PIDs in their namespace)
     * @param nanos     total time; {@code memoryNanos} of it restoring memory
     * @param resumeNanos from the end of the restore until every process was running
     */
    public record Result(String domain, int rootPid, List<Integer> pids, int threads, long imagePages,
                         long nanos, long memoryNanos, long resumeNanos, List<String> notes) {
    }

    private final NodeKeyStore keys;
    private final List<String> huskCommand;

    /**
     * @param huskCommand the program a husk runs until restore replaces its memory: any program that
     *                    sleeps (default {@code sleep infinity})
     */
    public DomainRestorer(NodeKeyStore keys, List<String> huskCommand) {
        this.keys = keys;
        this.huskCommand = List.copyOf(huskCommand);
    }

    public Result restore(Path image, Options options, Placement placement, Progress progress) throws IOException {
        long t0 = System.nanoTime();
        Progress report = progress == null ? Progress.NONE : progress;
        ImageVerifier.Result check = new ImageVerifier(keys).verify(image);
        if (!check.ok()) {
            throw new IOException("image " + image + " is refused, nothing was created: "
                    + String.join("; ", check.problems()));
        }
        RestorePlan plan = RestorePlan.read(image, keys);
        report.step("Verified " + image + ": " + Counted.of(plan.processes().size(), "process") + ", "
                + Counted.of(plan.threadCount(), "thread"));
        try (Tracer tracer = Tracer.start("hotvirt-restore");
             Husk husk = Husk.start(tracer, huskCommand, HUSK_START_MILLIS)) {
            TreeRestore run = new TreeRestore(tracer, husk, plan, options, report);
            try {
                run.createTree();
                Optional<DomainCgroup> cgroup = placement.place(run.rootPid());
                run.restoreResources();
                long resumeStart = System.nanoTime();
                run.resume(cgroup);
                long resume = System.nanoTime() - resumeStart;
                report.step("Resumed " + Counted.of(plan.processes().size(), "process") + " together");
                return new Result(plan.domain(), run.rootPid(), plan.pids(), plan.threadCount(), run.imagePages(),
                        System.nanoTime() - t0, run.memoryNanos(), resume, run.notes());
            } catch (IOException | RuntimeException | Error e) {
                // an interrupt (the shell's Ctrl-C) must not cut the clean-up short
                boolean interrupted = Thread.interrupted();
                try {
                    run.killAll();
                } finally {
                    if (interrupted) {
                        Thread.currentThread().interrupt();
                    }
                }
                throw e;
            }
        }
    }

    private static final long HUSK_START_MILLIS = 5_000;

}
