package io.hotvirt.linux.ptrace;

import com.sun.jna.LastErrorException;
import com.sun.jna.Memory;
import com.sun.jna.Pointer;
import com.sun.jna.ptr.IntByReference;
import io.hotvirt.linux.jna.Errno;
import io.hotvirt.linux.jna.LibC;
import io.hotvirt.linux.jna.Syscall;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.LinkedHashSet;
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

    private static final int SIGTRAP = 5;

    private final String name;
    private final ExecutorService executor;
    private final Thread thread;
    private final LibC c = LibC.INSTANCE;
    // touched only on the tracer thread
    private final Set<Integer> attached = new LinkedHashSet<>();
    private final Map<Integer, Integer> lastStop = new HashMap<>();
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

    /** PTRACE_SEIZE without options: the tracee keeps running and notices nothing. */
    public void seize(int tid) throws IOException {
        seize(tid, 0);
    }

    /** PTRACE_SEIZE with PTRACE_O_* options. */
    public void seize(int tid, int options) throws IOException {
        call(() -> {
            ptrace(LibC.PTRACE_SEIZE, tid, 0, options, "PTRACE_SEIZE");
            attached.add(tid);
            lastStop.remove(tid);
            return null;
        });
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
            long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMillis);
            for (int spins = 0; ; spins++) {
                Integer status = waitpid(tid, LibC.WNOHANG);
                if (status != null) {
                    return status;
                }
                if (System.nanoTime() - deadline > 0) {
                    throw new IOException("waitpid(" + tid + "): thread " + tid + " did not stop within "
                            + timeoutMillis + " ms");
                }
                if (spins < 100) {
                    Thread.onSpinWait(); // injected syscalls stop again within microseconds
                } else {
                    LockSupport.parkNanos(200_000);
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
        call(() -> ptrace(LibC.PTRACE_CONT, tid, 0, sig, "PTRACE_CONT"));
    }

    /** PTRACE_SINGLESTEP: runs one instruction; the tracee then stops with SIGTRAP. */
    public void singleStep(int tid) throws IOException {
        call(() -> ptrace(LibC.PTRACE_SINGLESTEP, tid, 0, 0, "PTRACE_SINGLESTEP"));
    }

    /**
     * Detaches; the tracee runs on. If it is not in a ptrace-stop (the kernel only detaches stopped
     * tracees), it is interrupted first. A signal caught at its last signal-delivery stop is passed
     * on rather than lost. A tracee that has exited is simply forgotten.
     */
    public void detach(int tid) throws IOException {
        call(() -> {
            detachNow(tid);
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

    /** Detaches every tracee still attached (best effort, each one tried) and ends the thread. */
    @Override
    public void close() {
        if (executor.isShutdown()) {
            return;
        }
        try {
            call(() -> {
                for (int tid : Set.copyOf(attached)) {
                    try {
                        detachNow(tid);
                    } catch (IOException e) {
                        attached.remove(tid); // gone or not ours any more: nothing left to undo
                    }
                }
                return null;
            });
        } catch (IOException e) {
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

    private void detachNow(int tid) throws IOException {
        if (!attached.contains(tid)) {
            return;
        }
        Integer status = lastStop.get(tid);
        try {
            ptrace(LibC.PTRACE_DETACH, tid, 0, pendingSignal(status), "PTRACE_DETACH");
        } catch (IOException e) {
            if (!Files.exists(Path.of("/proc", Integer.toString(tid)))) {
                forget(tid);
                return;
            }
            // ESRCH for a live tracee: it is running, not stopped. Stop it, then detach.
            ptrace(LibC.PTRACE_INTERRUPT, tid, 0, 0, "PTRACE_INTERRUPT");
            int stop = waitpid(tid, 0);
            if (WaitStatus.stopped(stop)) {
                ptrace(LibC.PTRACE_DETACH, tid, 0, pendingSignal(stop), "PTRACE_DETACH");
            }
        }
        forget(tid);
    }

    /**
     * The signal to pass on at detach: the one of a signal-delivery stop, except SIGTRAP, which at
     * this point comes from our own single-steps and breakpoints.
     */
    private static int pendingSignal(Integer status) {
        if (status == null || !WaitStatus.signalDeliveryStop(status)) {
            return 0;
        }
        int sig = WaitStatus.stopSignal(status);
        return sig == SIGTRAP ? 0 : sig;
    }

    private void forget(int tid) {
        attached.remove(tid);
        lastStop.remove(tid);
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
                if (WaitStatus.stopped(s)) {
                    lastStop.put(tid, s);
                } else {
                    forget(tid); // exited or killed: no longer a tracee
                }
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
