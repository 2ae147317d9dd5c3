package io.hotvirt.checkpoint.freeze;

import io.hotvirt.linux.cgroup.DomainCgroup;
import io.hotvirt.linux.proc.ProcStat;
import io.hotvirt.linux.proc.Procfs;
import io.hotvirt.linux.ptrace.SyscallInjector;
import io.hotvirt.linux.ptrace.Tracer;
import io.hotvirt.linux.ptrace.WaitStatus;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.IntConsumer;

import static io.hotvirt.linux.process.Signals.SIGTRAP;

/**
 * A domain held still for a checkpoint. {@link #freeze(DomainCgroup)} freezes the domain's cgroup,
 * seizes and interrupts every thread of every process in it (listing again until no new thread
 * shows up), thaws the cgroup and waits for each thread to enter its ptrace-stop: the threads stay
 * stopped, the cgroup is not left frozen, and registers, memory and injected syscalls can be used
 * through {@link #tracer()} and {@link #injector(int)}.
 *
 * <p>Threads stopped by job control (state T) are seized before the cgroup is frozen, since
 * seizing one waits until it traps, which a frozen thread cannot do; a {@link SeizeWatchdog} thaws
 * the cgroup if one stops in between. Their processes are reported by {@link #stopSignals()}.
 *
 * <p>{@link #close()} detaches every thread (the domain runs on) and makes sure the cgroup is
 * thawed. If freezing fails part-way — a thread exits, EPERM, a timeout — every thread seized so
 * far is detached and the cgroup thawed before the exception is thrown: the workload keeps running.
 */
public final class DomainFreezer implements AutoCloseable {

    /** How long a seized thread may take to stop, unless the caller says (setting seizeTimeoutMillis). */
    public static final Duration DEFAULT_STOP_TIMEOUT = Duration.ofSeconds(5);
    private static final int MAX_ROUNDS = 100;

    private final DomainCgroup cgroup;
    private final Tracer tracer;
    private final Map<Integer, List<Integer>> threads;
    private final Map<Integer, Integer> stopSignals;
    private final long startNanos;
    private final long cgroupFrozenNanos;
    private final Map<Integer, SyscallInjector> injectors = new HashMap<>();
    private long closedNanos = -1;

    private DomainFreezer(DomainCgroup cgroup, Tracer tracer, Map<Integer, List<Integer>> threads,
                          Map<Integer, Integer> stopSignals, long startNanos, long cgroupFrozenNanos) {
        this.cgroup = cgroup;
        this.tracer = tracer;
        this.threads = threads;
        this.stopSignals = stopSignals;
        this.startNanos = startNanos;
        this.cgroupFrozenNanos = cgroupFrozenNanos;
    }

    /** Stops every thread of every process in the domain's cgroup. */
    public static DomainFreezer freeze(DomainCgroup cgroup) throws IOException {
        return freeze(cgroup, DomainCgroup.DEFAULT_FREEZE_TIMEOUT, DEFAULT_STOP_TIMEOUT);
    }

    /**
     * Stops every thread of every process in the domain's cgroup: the cgroup must freeze within
     * {@code freezeTimeout}, each thread stop within {@code stopTimeout} once seized.
     */
    public static DomainFreezer freeze(DomainCgroup cgroup, Duration freezeTimeout, Duration stopTimeout)
            throws IOException {
        return freeze(cgroup, null, tid -> { }, () -> { }, freezeTimeout, stopTimeout);
    }

    /**
     * Stops every thread of the given processes, without a cgroup to freeze first (a process tree
     * hotvirt did not start in its own cgroup). Fails if any of them does not exist.
     */
    public static DomainFreezer freezeProcesses(Collection<Integer> pids) throws IOException {
        return freeze(null, List.copyOf(pids), tid -> { }, () -> { }, DomainCgroup.DEFAULT_FREEZE_TIMEOUT,
                DEFAULT_STOP_TIMEOUT);
    }

    /** {@code afterSeize} runs after each thread is seized and interrupted (tests use it to kill one mid-way). */
    static DomainFreezer freeze(DomainCgroup cgroup, List<Integer> pids, IntConsumer afterSeize) throws IOException {
        return freeze(cgroup, pids, afterSeize, () -> { });
    }

    /**
     * {@code beforeFreeze} runs between the seizing of the stopped threads and the cgroup freeze
     * (tests use it to stop one there).
     */
    static DomainFreezer freeze(DomainCgroup cgroup, List<Integer> pids, IntConsumer afterSeize, Runnable beforeFreeze)
            throws IOException {
        return freeze(cgroup, pids, afterSeize, beforeFreeze, DomainCgroup.DEFAULT_FREEZE_TIMEOUT, DEFAULT_STOP_TIMEOUT);
    }

    private static DomainFreezer freeze(DomainCgroup cgroup, List<Integer> pids, IntConsumer afterSeize,
                                        Runnable beforeFreeze, Duration freezeTimeout, Duration stopTimeout)
            throws IOException {
        if ((cgroup == null) == (pids == null)) {
            throw new IllegalArgumentException("either a cgroup or a list of processes");
        }
        String what = cgroup != null ? "cgroup " + cgroup.path() : "processes " + pids;
        Tracer tracer = Tracer.start("hotvirt-freeze");
        long start = System.nanoTime();
        AtomicBoolean frozen = new AtomicBoolean();
        AtomicLong thawedAt = new AtomicLong();
        SeizeWatchdog watchdog = null;
        try {
            Map<Integer, List<Integer>> seized = new TreeMap<>();
            Map<Integer, Integer> stopSignals = new TreeMap<>();
            Set<Integer> seen = new TreeSet<>();
            List<int[]> toWait = new ArrayList<>();
            if (cgroup != null) {
                // Threads stopped by job control first, while nothing is frozen: seizing one waits
                // until it traps, which it cannot do frozen. Stopped already, they lose no time.
                tracer.execute(() -> toWait.addAll(seizeNew(tracer, cgroup, null, seen, seized, afterSeize, null,
                        true)));
                watchdog = new SeizeWatchdog(cgroup, frozen, thawedAt);
                beforeFreeze.run();
                cgroup.freeze(freezeTimeout);
                frozen.set(true);
            }
            SeizeWatchdog watch = watchdog;
            // on the tracer thread: each seize, interrupt and wait is then a direct call, not a hand-off
            tracer.execute(() -> {
                for (int round = 0; ; round++) {
                    if (round >= MAX_ROUNDS) {
                        throw new IOException("freezing " + what + ": new threads kept appearing after " + MAX_ROUNDS
                                + " rounds");
                    }
                    List<int[]> fresh = seizeNew(tracer, cgroup, pids, seen, seized, afterSeize, watch, false);
                    toWait.addAll(fresh);
                    if (frozen.get() && !fresh.isEmpty()) {
                        continue; // list again while frozen until stable
                    }
                    if (frozen.getAndSet(false)) {
                        cgroup.thaw(); // the interrupted threads enter their ptrace-stop before running user code
                        thawedAt.set(System.nanoTime());
                    }
                    for (int[] t : toWait) {
                        int status = awaitStop(tracer, t[0], t[1], stopTimeout.toMillis());
                        if (WaitStatus.stopSignal(status) != SIGTRAP) {
                            // a seized thread's PTRACE_EVENT_STOP carries the stop signal while its
                            // process is stopped by job control (group-stop), SIGTRAP otherwise
                            stopSignals.putIfAbsent(t[0], WaitStatus.stopSignal(status));
                        }
                    }
                    toWait.clear();
                    if (fresh.isEmpty()) {
                        return null;
                    }
                }
            });
            if (seized.isEmpty()) {
                throw new IOException("freezing " + what + ": no process to freeze (the domain is empty or has exited)");
            }
            Map<Integer, List<Integer>> view = new TreeMap<>();
            seized.forEach((pid, tids) -> view.put(pid, List.copyOf(tids)));
            long thawed = thawedAt.get();
            return new DomainFreezer(cgroup, tracer, java.util.Collections.unmodifiableMap(view),
                    java.util.Collections.unmodifiableMap(stopSignals), start,
                    thawed == 0 ? System.nanoTime() - start : thawed - start);
        } catch (IOException | RuntimeException | Error e) {
            if (watchdog != null) {
                watchdog.close(); // no thaw of its own from here on
            }
            if (frozen.getAndSet(false)) {
                try {
                    cgroup.thaw(); // thaw first: detaching a thread frozen in v1 would wait for it forever
                } catch (IOException | RuntimeException t) {
                    e.addSuppressed(t);
                }
            }
            tracer.close(); // detaches every thread seized so far, stopped or not
            if (cgroup != null) {
                try {
                    if (cgroup.frozen()) {
                        cgroup.thaw();
                    }
                } catch (IOException | RuntimeException t) {
                    e.addSuppressed(t);
                }
            }
            if (e instanceof IOException io) {
                throw new IOException("freezing " + what + " failed, every thread was released: " + io.getMessage(), io);
            }
            throw e;
        } finally {
            if (watchdog != null) {
                watchdog.close();
            }
        }
    }

    /**
     * Seizes and interrupts every thread not seen yet (only those stopped by job control, state T,
     * when {@code onlyStopped}); returns (pid, tid) of each.
     */
    private static List<int[]> seizeNew(Tracer tracer, DomainCgroup cgroup, List<Integer> pids, Set<Integer> seen,
                                        Map<Integer, List<Integer>> seized, IntConsumer afterSeize,
                                        SeizeWatchdog watchdog, boolean onlyStopped) throws IOException {
        List<int[]> fresh = new ArrayList<>();
        Collection<Integer> processes = cgroup != null ? new TreeSet<>(cgroup.pids()) : pids;
        for (int pid : processes) {
            ProcStat stat = Procfs.stat(pid).orElse(null);
            if (stat == null || dead(stat.state())) {
                if (cgroup == null) {
                    throw new IOException("process " + pid + " does not exist" + (stat != null ? " (it is a zombie)" : ""));
                }
                continue; // exited, or a zombie waiting for its parent: nothing to save
            }
            for (int tid : Procfs.tasks(pid)) {
                if (seen.contains(tid)) {
                    continue;
                }
                ProcStat ts = Procfs.taskStat(pid, tid).orElse(null);
                if (ts == null || dead(ts.state())) {
                    continue; // a thread that has already exited (a zombie leader of a live process)
                }
                if (onlyStopped && ts.state() != 'T') {
                    continue;
                }
                seen.add(tid);
                try {
                    if (watchdog != null) {
                        watchdog.seizing();
                    }
                    try {
                        tracer.seize(tid);
                    } finally {
                        if (watchdog != null) {
                            watchdog.seized();
                        }
                    }
                    tracer.interrupt(tid);
                } catch (IOException e) {
                    if (!Files.exists(Path.of("/proc", Integer.toString(pid), "task", Integer.toString(tid)))) {
                        throw new IOException("thread " + tid + " of process " + pid + " exited while the domain was"
                                + " being frozen", e);
                    }
                    throw e;
                }
                seized.computeIfAbsent(pid, p -> new ArrayList<>()).add(tid);
                fresh.add(new int[] {pid, tid});
                afterSeize.accept(tid);
            }
        }
        return fresh;
    }

    /**
     * Waits for the thread's ptrace-stop and returns its status. A signal that arrives first
     * (signal-delivery-stop) is delivered as usual and the thread then stops for the pending
     * interrupt (or, for a stop signal, for the group-stop it starts).
     */
    private static int awaitStop(Tracer tracer, int pid, int tid, long timeoutMillis) throws IOException {
        for (int i = 0; i < 16; i++) {
            int status = tracer.waitStop(tid, timeoutMillis);
            if (!WaitStatus.stopped(status)) {
                throw new IOException("thread " + tid + " of process " + pid + " " + WaitStatus.describe(status)
                        + " while the domain was being frozen");
            }
            if (WaitStatus.event(status) != 0) {
                return status; // PTRACE_EVENT_STOP: the interrupt (or a group-stop)
            }
            tracer.cont(tid, WaitStatus.stopSignal(status));
        }
        throw new IOException("thread " + tid + " of process " + pid + " kept stopping for signals instead of"
                + " entering its ptrace-stop");
    }

    private static boolean dead(char state) {
        return state == 'Z' || state == 'X' || state == 'x';
    }

    /** The tracer every stopped thread is attached to: registers, injection. */
    public Tracer tracer() {
        return tracer;
    }

    /** Process id → its thread ids (the leader first when alive), every one in ptrace-stop. */
    public Map<Integer, List<Integer>> threads() {
        return threads;
    }

    /**
     * Process id → the signal that had stopped it by job control (SIGSTOP, SIGTSTP …) when it was
     * frozen; processes that ran are absent. Detaching leaves such a process stopped: the kernel
     * puts a thread back into its group-stop while its process is stopped, so only SIGCONT wakes it,
     * as before (a SIGCONT sent during the dump wakes it when it is released).
     */
    public Map<Integer, Integer> stopSignals() {
        return stopSignals;
    }

    /** Every stopped thread id. */
    public Set<Integer> allThreads() {
        Set<Integer> all = new LinkedHashSet<>();
        threads.values().forEach(all::addAll);
        return all;
    }

    /** A syscall injector for process {@code pid} (one per process, reused). */
    public synchronized SyscallInjector injector(int pid) {
        if (!threads.containsKey(pid)) {
            throw new IllegalArgumentException("process " + pid + " is not part of the frozen domain");
        }
        return injectors.computeIfAbsent(pid, p -> new SyscallInjector(tracer, p));
    }

    /** How long the cgroup itself was frozen (freeze until thaw), in nanoseconds. */
    public long cgroupFrozenNanos() {
        return cgroupFrozenNanos;
    }

    /** How long the domain has been (or was, once closed) stopped: from the freeze until every thread was released. */
    public synchronized long frozenNanos() {
        return (closedNanos >= 0 ? closedNanos : System.nanoTime()) - startNanos;
    }

    /** Detaches every thread (the domain runs on) and makes sure the cgroup is thawed. Idempotent. */
    @Override
    public synchronized void close() throws IOException {
        if (closedNanos >= 0) {
            return;
        }
        IOException failure = null;
        try {
            if (stillFrozen()) {
                cgroup.thaw();
            }
        } catch (IOException e) {
            failure = e;
        } finally {
            tracer.close();
            closedNanos = System.nanoTime();
            try {
                if (stillFrozen()) {
                    cgroup.thaw();
                }
            } catch (IOException e) {
                failure = failure == null ? e : failure;
            }
        }
        if (failure != null) {
            throw failure;
        }
    }

    /**
     * A cgroup that is gone holds nothing frozen: after a dump kills the domain, the monitor may
     * remove its cgroup (on the root's exit) before this close runs.
     */
    private boolean stillFrozen() throws IOException {
        try {
            return cgroup != null && cgroup.frozen();
        } catch (java.nio.file.NoSuchFileException e) {
            return false;
        }
    }
}
