package io.hotvirt.linux.ptrace;

import com.sun.jna.LastErrorException;
import com.sun.jna.Memory;
import com.sun.jna.Pointer;
import com.sun.jna.ptr.IntByReference;
import io.hotvirt.linux.jna.Errno;
import io.hotvirt.linux.jna.LibC;
import io.hotvirt.linux.jna.Syscall;
import io.hotvirt.linux.proc.ProcStat;
import io.hotvirt.linux.proc.ProcStatus;
import io.hotvirt.linux.proc.Procfs;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;


/**
 * A ptrace tracer. The kernel ties a tracee to the thread that attached it: every later ptrace
 * request and every waitpid for it must come from that same thread. So a Tracer owns one thread
 * and runs every call on it; callers on other threads block until their call is done.
 *
 * <p>Tracees are attached with PTRACE_SEIZE (no SIGSTOP is sent, so the workload sees nothing) and
 * stopped with PTRACE_INTERRUPT. {@link #close()} detaches every tracee still attached, so a
 * workload is never left traced or stopped by hotvirt.
 */
public final class Tracer implements AutoCloseable {

    /** How long detach, and close for all its tracees together, wait for a running tracee to stop. */
    private static final long DETACH_TIMEOUT_NANOS = TimeUnit.SECONDS.toNanos(2);
    /** How long {@link #waitStop(int, long)} polls before it parks between polls. */
    private static final long SPIN_NANOS = TimeUnit.MILLISECONDS.toNanos(2);

    private final String name;
    private final ExecutorService executor;
    private final Thread thread;
    private final LibC c = LibC.INSTANCE;
    // touched only on the tracer thread
    private final Set<Integer> attached = new LinkedHashSet<>();
    private final Map<Integer, Integer> lastStop = new HashMap<>();
    private final Map<Integer, Integer> tgids = new HashMap<>();
    private final Memory regs = new Memory(Registers.SIZE);

    private Tracer(String name) throws IOException {
        this.name = name;
        this.executor = Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, name);
            t.setDaemon(true);
            return t;
        });
        try {
            this.thread = executor.submit(Thread::currentThread).get();
        } catch (InterruptedException e) {
            executor.shutdownNow();
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("starting tracer " + name);
        } catch (ExecutionException e) {
            executor.shutdownNow();
            throw new IOException("cannot start tracer thread " + name, e.getCause());
        }
    }

    /** Starts a tracer with its own thread called {@code name}. */
    public static Tracer start(String name) throws IOException {
        return new Tracer(name);
    }

    /** PTRACE_SEIZE without other options: the tracee keeps running and notices nothing. */
    public void seize(int tid) throws IOException {
        seize(tid, 0);
    }

    /**
     * PTRACE_SEIZE with PTRACE_O_* options, always with PTRACE_O_TRACESYSGOOD: syscall stops (of
     * injected syscalls) then tell themselves apart from a real SIGTRAP, and PTRACE_GET_SYSCALL_INFO
     * says whether one is an entry or an exit.
     */
    public void seize(int tid, int options) throws IOException {
        call(() -> {
            ptrace(LibC.PTRACE_SEIZE, tid, 0, options | LibC.PTRACE_O_TRACESYSGOOD, "PTRACE_SEIZE");
            attached.add(tid);
            lastStop.remove(tid);
            tgids.put(tid, Procfs.status(tid).map(ProcStatus::tgid).orElse(tid));
            return null;
        });
    }

    /** PTRACE_SETOPTIONS of a stopped tracee (PTRACE_O_TRACESYSGOOD always added, as at seize). */
    public void setOptions(int tid, int options) throws IOException {
        call(() -> ptrace(LibC.PTRACE_SETOPTIONS, tid, 0, options | LibC.PTRACE_O_TRACESYSGOOD, "PTRACE_SETOPTIONS"));
    }

    /** PTRACE_INTERRUPT: the tracee enters a ptrace-stop soon; collect it with {@link #waitStop}. */
    public void interrupt(int tid) throws IOException {
        call(() -> ptrace(LibC.PTRACE_INTERRUPT, tid, 0, 0, "PTRACE_INTERRUPT"));
    }

    /**
     * waitpid(tid, __WALL): blocks until the tracee stops (or exits) and returns the raw status,
     * decoded by {@link WaitStatus}. Only call it when a stop is due (after interrupt, cont …).
     */
    public int waitStop(int tid) throws IOException {
        return call(() -> waitpid(tid, 0));
    }

    /**
     * Like {@link #waitStop(int)} but gives up after {@code timeoutMillis}.
     *
     * @throws IOException also on timeout (the tracee is still attached and running)
     */
    public int waitStop(int tid, long timeoutMillis) throws IOException {
        return call(() -> {
            long start = System.nanoTime();
            long deadline = start + TimeUnit.MILLISECONDS.toNanos(timeoutMillis);
            while (true) {
                Integer status = waitpid(tid, LibC.WNOHANG);
                if (status != null) {
                    return status;
                }
                long now = System.nanoTime();
                if (now - deadline > 0) {
                    throw new IOException("waitpid(" + tid + "): thread " + tid + " did not stop within "
                            + timeoutMillis + " ms");
                }
                // a syscall stop or an interrupt comes within tens of microseconds, but a park costs
                // about 250 us (timer slack): poll for the first 2 ms, yielding the CPU to the tracee
                if (now - start < SPIN_NANOS) {
                    Thread.yield();
                } else {
                    LockSupport.parkNanos(100_000);
                }
            }
        });
    }

    /** PTRACE_GETREGS of a stopped tracee. */
    public Registers getRegisters(int tid) throws IOException {
        return call(() -> {
            ptrace(LibC.PTRACE_GETREGS, tid, 0, regs, "PTRACE_GETREGS");
            return Registers.of(regs.getLongArray(0, Registers.COUNT));
        });
    }

    /** PTRACE_SETREGS of a stopped tracee. */
    public void setRegisters(int tid, Registers r) throws IOException {
        call(() -> {
            regs.write(0, r.toArray(), 0, Registers.COUNT);
            ptrace(LibC.PTRACE_SETREGS, tid, 0, regs, "PTRACE_SETREGS");
            return null;
        });
    }

    /** PTRACE_CONT: resumes a stopped tracee, delivering {@code sig} (0 for none). */
    public void cont(int tid, int sig) throws IOException {
        call(() -> {
            ptrace(LibC.PTRACE_CONT, tid, 0, sig, "PTRACE_CONT");
            lastStop.remove(tid); // the stop is resolved: its signal delivered, or suppressed on purpose
            return null;
        });
    }

    /**
     * PTRACE_SYSCALL: resumes a stopped tracee until its next syscall entry or exit. With
     * {@code sig} 0 a signal the tracee stopped for is not delivered now but still passed on at
     * detach; a non-zero {@code sig} hands it to the kernel (which queues it again if blocked).
     */
    public void resumeToSyscall(int tid, int sig) throws IOException {
        call(() -> {
            ptrace(LibC.PTRACE_SYSCALL, tid, 0, sig, "PTRACE_SYSCALL");
            if (sig != 0) {
                lastStop.remove(tid);
            }
            return null;
        });
    }

    /**
     * Detaches; the tracee runs on. If it is not in a ptrace-stop (the kernel only detaches stopped
     * tracees), it is interrupted first. A signal caught at its last signal-delivery stop is passed
     * on rather than lost. A tracee that has exited is simply forgotten; the exit of a thread-group
     * leader is left for its real parent.
     *
     * @throws IOException if the tracee did not stop within 2 s (it stays attached)
     */
    public void detach(int tid) throws IOException {
        call(() -> {
            if (!detachNow(tid, System.nanoTime() + DETACH_TIMEOUT_NANOS)) {
                throw new IOException("detach(" + tid + "): thread " + tid + " did not stop within "
                        + TimeUnit.NANOSECONDS.toMillis(DETACH_TIMEOUT_NANOS) + " ms");
            }
            return null;
        });
    }

    /** The tids attached now. */
    public Set<Integer> attached() throws IOException {
        return call(() -> Set.copyOf(attached));
    }

    public String name() {
        return name;
    }

    /**
     * Detaches every tracee still attached (best effort, each one tried, 2 s at most in all) and
     * ends the thread. Never throws. Threads of killed processes are collected, other threads
     * before their leader; a leader's exit is left for its real parent. Whatever could not be
     * detached in time is untraced by the kernel when the tracer thread ends.
     */
    @Override
    public void close() {
        if (executor.isShutdown()) {
            return;
        }
        try {
            call(() -> {
                long deadline = System.nanoTime() + DETACH_TIMEOUT_NANOS;
                List<Integer> order = new ArrayList<>(attached);
                // a leader's zombie only becomes reapable once its other threads are gone
                order.sort(Comparator.comparing(this::leader));
                for (int tid : order) {
                    try {
                        detachNow(tid, deadline);
                    } catch (IOException | RuntimeException e) {
                        // best effort: the others still get their turn
                    }
                    forget(tid); // detached, gone, or given up on (the thread's exit untraces it)
                }
                return null;
            });
        } catch (IOException | RuntimeException e) {
            // call() only fails here if interrupted; the executor is shut down regardless
        } finally {
            executor.shutdown();
            try {
                executor.awaitTermination(5, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    // ---- on the tracer thread

    /**
     * Detaches {@code tid}, waiting for it to stop until {@code deadline} at most; true when it is no
     * longer attached (detached, or gone), false if it did not stop in time.
     *
     * <p>A killed tracee never stops, and its exit must be waited for with care. A non-leader thread
     * stays a zombie until its tracer collects it, and its leader's exit is not reported (to anyone)
     * before all other threads are collected: so collect non-leaders (their status belongs to no one
     * else) and poll with WNOHANG, never block. A leader's exit belongs to its real parent. When the
     * tracer is in another process the kernel hands it on after the tracer collected it, but when
     * the tracer is a thread of the real parent's process (the hotvirt JVM tracing its own child,
     * whose ChildReaper waits with waitid(P_PIDFD, WEXITED)), the tracer's wait reaps it for good.
     * __WNOTHREAD does not help: it only skips children of the other threads, while the tracer thread
     * is the ptrace parent itself. So such a leader is waited for with waitid(WSTOPPED) only, which
     * never reports an exit; once it is a zombie it is simply forgotten — the kernel lets the real
     * parent's process reap a zombie traced from within that process, and untraces it when this
     * thread ends.
     */
    private boolean detachNow(int tid, long deadline) throws IOException {
        if (!attached.contains(tid)) {
            return true;
        }
        if (tryDetach(tid)) {
            return true;
        }
        // not in a ptrace-stop: running, or exiting, or dead
        boolean leader = leader(tid);
        boolean mayReap = !leader || Procfs.status(tid).map(s -> s.ppid() != c.getpid()).orElse(false);
        boolean interrupted = false;
        for (int spins = 0; ; spins++) {
            Integer status;
            try {
                status = waitid(tid, LibC.WSTOPPED | (mayReap ? LibC.WEXITED : 0));
            } catch (IOException e) {
                forget(tid); // ECHILD: gone, or not ours any more (or a zombie leader we must not reap)
                return true;
            }
            if (status != null) {
                if (!WaitStatus.stopped(status) || tryDetach(tid)) {
                    return true; // collected (waitid forgot it), or stopped and detached
                }
                continue; // killed right after stopping: collect it next time round
            }
            ProcStat stat = Procfs.stat(tid).orElse(null);
            if (stat == null || stat.dead() && (leader || stat.state() != 'Z')) {
                forget(tid); // gone, or a dead leader whose exit is its parent's
                return true;
            }
            if (!interrupted) {
                interrupted = true;
                try {
                    ptrace(LibC.PTRACE_INTERRUPT, tid, 0, 0, "PTRACE_INTERRUPT");
                } catch (IOException e) {
                    forget(tid); // ESRCH: gone, or not traced by us any more
                    return true;
                }
                continue;
            }
            if (System.nanoTime() - deadline > 0) {
                return false;
            }
            if (spins < 100) {
                Thread.onSpinWait();
            } else {
                LockSupport.parkNanos(500_000);
            }
        }
    }

    /** PTRACE_DETACH, passing on a pending signal; false if the tracee is not in a ptrace-stop. */
    private boolean tryDetach(int tid) {
        try {
            ptrace(LibC.PTRACE_DETACH, tid, 0, pendingSignal(lastStop.get(tid)), "PTRACE_DETACH");
        } catch (IOException e) {
            return false;
        }
        forget(tid);
        return true;
    }

    /** Whether {@code tid} leads its thread group (as far as known at seize). */
    private boolean leader(int tid) {
        return tgids.getOrDefault(tid, tid) == tid;
    }

    /**
     * The signal to pass on at detach: the one of a signal-delivery stop (syscall stops, which
     * PTRACE_O_TRACESYSGOOD marks, are not: hotvirt never single-steps or sets breakpoints, so a
     * SIGTRAP stop is a real signal).
     */
    private static int pendingSignal(Integer status) {
        return status == null || !WaitStatus.signalDeliveryStop(status) ? 0 : WaitStatus.stopSignal(status);
    }

    private void forget(int tid) {
        attached.remove(tid);
        lastStop.remove(tid);
        tgids.remove(tid);
    }

    /** Notes a waited-for status: the last stop, or that the tracee is gone. */
    private void record(int tid, int status) {
        if (!WaitStatus.stopped(status)) {
            forget(tid); // exited or killed: no longer a tracee
            return;
        }
        // Later stops of an injection (syscall, event) do not replace a signal-delivery stop: its
        // signal, suppressed meanwhile, must still be passed on at detach.
        if (WaitStatus.signalDeliveryStop(status) || pendingSignal(lastStop.get(tid)) == 0) {
            lastStop.put(tid, status);
        }
    }

    /**
     * waitid(P_PID, tid, options | WNOHANG | __WALL) with EINTR retried: the status in waitpid's
     * encoding, or null if nothing to report yet.
     */
    private Integer waitid(int tid, int options) throws IOException {
        Memory info = new Memory(LibC.SIGINFO_SIZE);
        while (true) {
            info.clear();
            try {
                c.syscall(Syscall.WAITID, LibC.P_PID, tid, info, options | LibC.WNOHANG | LibC.__WALL, Pointer.NULL);
            } catch (LastErrorException e) {
                if (e.getErrorCode() == Errno.EINTR) {
                    continue;
                }
                throw error("waitid", tid, e.getErrorCode(), e);
            }
            if (info.getInt(16) == 0) { // si_pid
                return null;
            }
            int code = info.getInt(8);
            int value = info.getInt(24);
            int status = switch (code) {
                case LibC.CLD_EXITED -> (value & 0xff) << 8;
                case LibC.CLD_KILLED -> value & 0x7f;
                case LibC.CLD_DUMPED -> (value & 0x7f) | 0x80;
                default -> (value << 8) | 0x7f; // CLD_TRAPPED, CLD_STOPPED: signal | event << 8
            };
            record(tid, status);
            return status;
        }
    }

    /** waitpid with EINTR retried; null if WNOHANG and nothing happened yet. */
    private Integer waitpid(int tid, int options) throws IOException {
        IntByReference status = new IntByReference();
        while (true) {
            try {
                int got = c.waitpid(tid, status, LibC.__WALL | options);
                if (got == 0) {
                    return null;
                }
                int s = status.getValue();
                record(tid, s);
                return s;
            } catch (LastErrorException e) {
                if (e.getErrorCode() != Errno.EINTR) {
                    throw error("waitpid", tid, e.getErrorCode(), e);
                }
            }
        }
    }

    private Void ptrace(int request, int tid, long addr, long data, String what) throws IOException {
        try {
            c.syscall(Syscall.PTRACE, request, tid, addr, data);
            return null;
        } catch (LastErrorException e) {
            throw error(what, tid, e.getErrorCode(), e);
        }
    }

    private void ptrace(int request, int tid, long addr, Pointer data, String what) throws IOException {
        try {
            c.syscall(Syscall.PTRACE, request, tid, addr, data);
        } catch (LastErrorException e) {
            throw error(what, tid, e.getErrorCode(), e);
        }
    }

    private static IOException error(String what, int tid, int errno, Throwable cause) {
        String prefix = (what.startsWith("PTRACE") ? "ptrace(" + what + ", " + tid + ")" : what + "(" + tid + ")")
                + ": " + Errno.describe(errno);
        return switch (errno) {
            case Errno.EPERM -> new IOException(prefix + " — hotvirt needs root or CAP_SYS_PTRACE to trace"
                    + " (check kernel.yama.ptrace_scope), and thread " + tid + " must not be traced by another"
                    + " debugger already", cause);
            case Errno.ESRCH -> new IOException(prefix + " — thread " + tid + " does not exist, is not traced by"
                    + " this tracer, or is not stopped", cause);
            case Errno.ECHILD -> new IOException(prefix + " — thread " + tid + " is not traced by this tracer", cause);
            default -> new IOException(prefix, cause);
        };
    }

    /** Runs on the tracer thread (directly if already on it) and rethrows its IOException. */
    /** Runs {@code task} on the tracer thread, for ptrace requests this class has no method for. */
    public <T> T execute(Callable<T> task) throws IOException {
        return call(task);
    }

    private <T> T call(Callable<T> task) throws IOException {
        if (Thread.currentThread() == thread) {
            try {
                return task.call();
            } catch (IOException | RuntimeException e) {
                throw e;
            } catch (Exception e) {
                throw new IOException(e);
            }
        }
        Future<T> f;
        try {
            f = executor.submit(task);
        } catch (java.util.concurrent.RejectedExecutionException e) {
            throw new IOException("tracer " + name + " is closed", e);
        }
        try {
            return f.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("interrupted waiting for tracer " + name);
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            if (cause instanceof IOException io) {
                throw new IOException(io.getMessage(), io); // keeps the caller's stack in the trace
            }
            if (cause instanceof RuntimeException re) {
                throw re;
            }
            if (cause instanceof Error err) {
                throw err;
            }
            throw new IOException(cause);
        }
    }
}
