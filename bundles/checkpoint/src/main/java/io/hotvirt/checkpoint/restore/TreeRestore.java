package io.hotvirt.checkpoint.restore;

import io.hotvirt.checkpoint.cpu.ThreadCpu;
import io.hotvirt.checkpoint.image.ProcessMetadata;
import io.hotvirt.checkpoint.tree.Credentials;
import io.hotvirt.checkpoint.tree.ProcessRecord;
import io.hotvirt.linux.cgroup.DomainCgroup;
import com.sun.jna.LastErrorException;
import io.hotvirt.linux.jna.Errno;
import io.hotvirt.linux.jna.LibC;
import io.hotvirt.linux.jna.Syscall;
import io.hotvirt.linux.proc.Procfs;
import io.hotvirt.linux.ptrace.SignalMask;
import io.hotvirt.linux.ptrace.SyscallInjector;
import io.hotvirt.linux.ptrace.Tracer;
import io.hotvirt.shell.Counted;
import io.hotvirt.shell.Units;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import static io.hotvirt.linux.jna.LibC.PR_SET_NAME;
import static io.hotvirt.linux.process.Signals.SIGSTOP;

/**
 * One restore run, in the order the image demands: the whole tree first (each process cloned from
 * its parent with its PID, all of them husk copies), then every process's resources while all stay
 * stopped — memory, threads, files, identity, signals, credentials, registers — and at last, on
 * {@link #resume}, every thread released at once. Keeps every process it made so that
 * {@link #killAll} can leave nothing behind.
 */
final class TreeRestore {

    private final Tracer tracer;
    private final Husk husk;
    private final RestorePlan plan;
    private final DomainRestorer.Options options;
    private final DomainRestorer.Progress report;
    private final PidCreator creator;
    /** image PID → PID here; image TID → TID here. */
    private final Map<Integer, Integer> pids = new LinkedHashMap<>();
    private final Map<Integer, Integer> tids = new LinkedHashMap<>();
    private final Map<Integer, RestoringProcess> processes = new LinkedHashMap<>();
    private final List<Integer> made = new ArrayList<>();
    private final List<Integer> ourChildren = new ArrayList<>();
    /** made process → the made process it was cloned from (absent: this JVM's child). */
    private final Map<Integer, Integer> madeFrom = new LinkedHashMap<>();
    private final List<String> notes = new ArrayList<>();
    /** What a fresh PID namespace's init is called (ps shows it). */
    static final String INIT_NAME = "hotvirt-init";
    private WorkRegion region;
    private RestoringProcess huskProcess;
    private int init;
    private long imagePages;
    private long memoryNanos;

    TreeRestore(Tracer tracer, Husk husk, RestorePlan plan, DomainRestorer.Options options,
                DomainRestorer.Progress report) {
        this.tracer = tracer;
        this.husk = husk;
        this.plan = plan;
        this.options = options;
        this.report = report;
        this.creator = new PidCreator(tracer);
    }

    /** Step 1: every process of the tree, with its PID, parent, session and group, stopped. */
    void createTree() throws IOException {
        region = WorkRegion.place(husk.injector(), husk.pid(), plan.processes());
        huskProcess = process(husk.pid());
        Rseq.unregister(tracer, huskProcess.injector(), husk.pid()); // every clone would inherit it
        cloneTree(huskProcess);
    }

    /** Step 2: every resource of every process; on return every thread is restored and stopped. */
    void restoreResources() throws IOException {
        long m0 = System.nanoTime();
        try (SharedObjects shm = new SharedObjects(huskProcess, plan.image(), plan.shm())) {
            for (ProcessMetadata p : plan.processes()) {
                restoreMemory(p, shm);
            }
        }
        memoryNanos = System.nanoTime() - m0;
        report.step("Restored memory: " + imagePages + " pages from the image (" + mode() + ") in "
                + Units.nanos(memoryNanos));
        for (ProcessMetadata p : plan.processes()) {
            createThreads(p);
        }
        restoreFiles();
        for (ProcessMetadata p : plan.processes()) {
            RestoringProcess rp = processes.get(p.pid());
            Identity.environment(rp, p.tree());
            restoreSignals(rp, p);
            PosixTimerRestorer.restore(rp, p.signals());
        }
        for (ProcessMetadata p : plan.processes()) {
            Identity.credentials(processes.get(p.pid()), p.tree());
        }
        for (ProcessMetadata p : plan.processes()) {
            finish(p);
        }
        if (init != 0) {
            nameInit();
        }
        report.step("Restored files, signals, credentials and registers of "
                + Counted.of(plan.processes().size(), "process"));
    }

    /**
     * Gives a fresh PID namespace's init the command line {@code hotvirt-init ROOT'S COMMAND LINE}
     * (it has the husk's until then), so that ps, and the domain list, which reads the domain's root,
     * show what runs there. By PR_SET_MM_MAP: PR_SET_MM_ARG_* would need CAP_SYS_RESOURCE, which
     * containers often lack.
     */
    private void nameInit() throws IOException {
        int root = pids.get(plan.processes().get(0).pid());
        String line = INIT_NAME + "\0" + String.join("\0", Procfs.cmdline(root)) + "\0";
        byte[] all = line.getBytes(StandardCharsets.UTF_8);
        byte[] args = Arrays.copyOf(all, Math.min(all.length, WorkRegion.INIT_ARGUMENTS_MAX));
        args[args.length - 1] = 0; // cut short: still NUL-terminated
        Identity.commandLine(process(init), region.initArguments(), args);
    }

    /** Clones the tree from the husk (or a fresh PID namespace's init), parents first, each with its PID. */
    private void cloneTree(RestoringProcess huskProcess) throws IOException {
        SyscallInjector top = huskProcess.injector();
        int topPid = husk.pid();
        long topFlags = PidCreator.CLONE_PARENT; // top processes become the container's children, like launched ones
        if (options.newPidNamespace()) {
            init = creator.create(top, topPid, region.scratch(), 0, PidCreator.CLONE_NEWPID | PidCreator.CLONE_PARENT);
            made.add(init);
            ourChildren.add(init);
            RestoringProcess initProcess = process(init);
            initProcess.call("close_range", Syscall.CLOSE_RANGE, 0, 0xffffffffL, 0); // the husk's fds
            initProcess.call("prctl(PR_SET_NAME)", Syscall.PRCTL, PR_SET_NAME, initProcess.writeString(0, INIT_NAME));
            top = initProcess.injector();
            topPid = init;
            topFlags = 0;
        }
        if (!options.newPidNamespace()) {
            // all first: a zombie's session and group keep its leader's PID taken even after the leader is gone
            plan.processes().forEach(p -> awaitReaped(p.pid()));
        }
        for (ProcessMetadata p : plan.processes()) {
            Integer parent = pids.get(p.tree().ppid());
            int pid = parent != null
                    ? creator.create(process(parent).injector(), parent, region.scratch(), p.pid(), 0)
                    : creator.create(top, topPid, region.scratch(), p.pid(), topFlags);
            pids.put(p.pid(), pid);
            tids.put(p.pid(), pid);
            made.add(pid);
            if (parent != null) {
                madeFrom.put(pid, parent);
            } else if (options.newPidNamespace()) {
                madeFrom.put(pid, init);
            } else {
                ourChildren.add(pid);
            }
            processes.put(p.pid(), process(pid));
            // before its children are cloned from it, so that they are born in its session and group
            int parentGroup = plan.processes().stream().filter(q -> q.pid() == p.tree().ppid())
                    .mapToInt(q -> q.tree().pgid()).findFirst().orElse(-1);
            Identity.session(processes.get(p.pid()), p.tree(), pids.containsKey(p.tree().pgid()), parentGroup);
        }
        report.step("Created " + Counted.of(pids.size(), "process") + " with the image's PIDs"
                + (options.newPidNamespace() ? " in a new PID namespace (its init is PID " + init + " here)" : ""));
    }

    /**
     * A checkpoint that killed its domain leaves zombies for a moment, until their parents (or init)
     * reap them: their PIDs are about to be free, so wait for that rather than call them taken.
     */
    private static void awaitReaped(int pid) {
        long deadline = System.currentTimeMillis() + ZOMBIE_WAIT_MILLIS;
        while (Procfs.stat(pid).map(s -> s.dead()).orElse(false) && System.currentTimeMillis() < deadline) {
            try {
                Thread.sleep(5);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    private static final long PROGRESS_BYTES = 64L << 20;
    private static final long ZOMBIE_WAIT_MILLIS = 10_000; // some inits reap orphans only every few seconds

    private void restoreMemory(ProcessMetadata p, SharedObjects shm) throws IOException {
        RestoringProcess rp = processes.get(p.pid());
        rp.call("close_range", Syscall.CLOSE_RANGE, 0, 0xffffffffL, 0); // the husk's fds
        AddressSpace.clear(rp, region, p.tree().mm());
        // while nothing maps the husk's program: the kernel refuses a new exe link while the old is mapped
        Identity.mm(rp, p.tree());
        long[] copied = {0};
        imagePages += AddressSpace.restore(rp, p, plan.image(), options.memory(), shm, n -> {
            if ((copied[0] + n) / PROGRESS_BYTES > copied[0] / PROGRESS_BYTES) {
                report.step("  copied " + Units.bytes(copied[0] + n) + " into process " + p.pid());
            }
            copied[0] += n;
        });
    }

    private void createThreads(ProcessMetadata p) throws IOException {
        RestoringProcess rp = processes.get(p.pid());
        List<Integer> threads = new ArrayList<>(List.of(rp.pid()));
        for (int tid : p.tree().threads()) {
            if (tid == p.pid()) {
                continue;
            }
            int made = creator.create(rp.injector(), rp.pid(), region.scratch(), tid, PidCreator.THREAD_FLAGS);
            tids.put(tid, made);
            threads.add(made);
        }
        Map<Integer, Integer> inner = new LinkedHashMap<>();
        for (int imageTid : p.tree().threads()) {
            inner.put(tids.get(imageTid), imageTid);
        }
        processes.put(p.pid(), rp.withTids(threads, inner));
    }

    /** Every fd, each open file description made once by its owner and passed to the others. */
    private void restoreFiles() throws IOException {
        if (plan.files() != null) {
            Map<Integer, Credentials> identities = new LinkedHashMap<>();
            plan.processes().forEach(p -> identities.put(p.pid(), p.tree().credentials()));
            new FileRestorer(FileRestorer.load(plan.image()), processes, identities).restore();
        }
    }

    private void restoreSignals(RestoringProcess rp, ProcessMetadata p) throws IOException {
        SignalRestorer.restore(rp, p.signals());
    }

    /**
     * Registers and FPU state of every thread, then the work region goes (its munmap injected at the
     * restored process's own injection site, with every signal blocked so that none is taken early),
     * then the saved masks.
     */
    private void finish(ProcessMetadata p) throws IOException {
        RestoringProcess rp = processes.get(p.pid());
        for (ThreadCpu cpu : p.threads()) {
            Integer tid = tids.get(cpu.tid());
            if (tid == null) {
                throw new IOException("the image has registers of thread " + cpu.tid() + ", which process " + p.pid()
                        + " does not list");
            }
            ThreadRegistrationsRestorer.restore(rp, tid, cpu.registrations());
            try {
                cpu.write(tracer, tid);
            } catch (IOException e) {
                throw new IOException("restoring the registers of thread " + cpu.tid() + " of process " + p.pid()
                        + ": " + e.getMessage(), e);
            }
        }
        SignalRestorer.queuePending(rp, p.signals());
        // the region cannot unmap itself through its own gadget: an injection site of the restored
        // process's code runs it; no signal may be taken on the way
        SignalMask.set(tracer, rp.pid(), ALL_BUT_SIGTRAP);
        new SyscallInjector(tracer, rp.pid()).call(rp.pid(), "munmap", Syscall.MUNMAP, region.address(),
                WorkRegion.BYTES);
        for (int imageTid : p.tree().threads()) {
            long blocked = p.signals().thread(imageTid).map(t -> t.blocked()).orElse(0L);
            SignalMask.set(tracer, tids.get(imageTid), blocked);
        }
    }

    /** Every signal but SIGTRAP (never blocked by hotvirt: a synchronous one would reset its action). */
    private static final long ALL_BUT_SIGTRAP = ~(1L << 4);

    /**
     * Releases every thread; with a cgroup, while it is frozen, so that all resume at once. A process
     * the image saw stopped by job control is sent SIGSTOP first: it stops again before it runs one
     * instruction (a signal is taken on the way out of the ptrace-stop), and only SIGCONT wakes it,
     * as before. Its parent is told of the stop again (SIGCHLD, CLD_STOPPED, unless SA_NOCLDSTOP).
     */
    void resume(Optional<DomainCgroup> cgroup) throws IOException {
        List<Integer> all = new ArrayList<>(tids.values());
        if (init != 0) {
            var r = tracer.getRegisters(init);
            tracer.setRegisters(init, r.withRip(region.initEntry()).withOrigRax(-1));
            all.add(init);
        }
        stopTheStopped(); // queued while they are held: released, even by hotvirt's death, they stop at once
        // Whole from here on: should hotvirt die while releasing them, the kernel is to let every
        // one go (and the cgroup's thaw guard to thaw them), not to kill those not yet released
        for (int tid : all) {
            tracer.setOptions(tid, Husk.OPTIONS & ~LibC.PTRACE_O_EXITKILL);
        }
        if (cgroup.isPresent()) {
            cgroup.get().freeze();
            try {
                for (int tid : all) {
                    Tracees.detach(tracer, tid);
                }
            } finally {
                cgroup.get().thaw();
            }
        } else {
            for (int tid : all) {
                Tracees.detach(tracer, tid);
            }
        }
        made.clear();
    }

    /**
     * SIGSTOP to each process saved stopped, whichever signal stopped it then: SIGSTOP cannot be caught
     * or blocked, and SIGTSTP, SIGTTIN and SIGTTOU are dropped in an orphaned process group. A parent
     * waiting with WUNTRACED sees WSTOPSIG SIGSTOP. Pending signals with a lower number and a handler
     * are taken before the stop (signals are taken lowest first), where the saved process would have
     * taken them only after SIGCONT.
     */
    private void stopTheStopped() throws IOException {
        for (ProcessMetadata p : plan.processes()) {
            if (p.tree().stopped()) {
                int pid = pids.get(p.pid());
                try {
                    LibC.INSTANCE.kill(pid, SIGSTOP);
                } catch (LastErrorException e) {
                    throw new IOException("stopping restored process " + p.pid() + " (" + p.comm() + ") again, as"
                            + " it was saved: kill(" + pid + ", SIGSTOP): " + Errno.describe(e.getErrorCode()), e);
                }
            }
        }
    }


    /**
     * Kills and reaps every process made so far, children before parents: each is reaped by its
     * (stopped) parent through an injected wait4, this JVM's own children here, so not even a zombie
     * is left for an init to find. Never throws.
     */
    void killAll() {
        for (int i = made.size() - 1; i >= 0; i--) {
            int pid = made.get(i);
            Integer parent = madeFrom.get(pid);
            if (parent != null && Husk.exists(parent)) {
                // the vDSO's syscall: there before and after the work region
                creator.destroy(new SyscallInjector(tracer, parent), parent, pid, inParent(pid));
            } else {
                Tracees.killAndReap(tracer, pid, ourChildren.contains(pid));
            }
        }
        made.clear();
    }

    /** {@code pid} as its parent's PID namespace numbers it: the image's PID in a fresh namespace. */
    private int inParent(int pid) {
        if (!options.newPidNamespace()) {
            return pid;
        }
        return pids.entrySet().stream().filter(e -> e.getValue() == pid).map(Map.Entry::getKey).findFirst()
                .orElse(pid);
    }

    int rootPid() {
        if (init != 0) {
            return init;
        }
        return pids.get(plan.processes().get(0).pid());
    }

    long imagePages() {
        return imagePages;
    }

    long memoryNanos() {
        return memoryNanos;
    }

    List<String> notes() {
        return List.copyOf(notes);
    }

    private String mode() {
        return switch (options.memory()) {
            case ZERO_COPY -> "zero-copy";
            case COPY -> "copied";
            case ZERO_COPY_READ_ONLY -> "zero-copy where read-only, copied elsewhere";
        };
    }

    private RestoringProcess process(int pid) {
        return new RestoringProcess(tracer, pid, List.of(pid), new SyscallInjector(tracer, pid, region.gadget()),
                region.scratch());
    }
}
