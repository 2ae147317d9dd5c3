package io.hotvirt.linux.process;

import com.sun.jna.LastErrorException;
import com.sun.jna.Memory;
import com.sun.jna.Pointer;
import io.hotvirt.linux.jna.Errno;
import io.hotvirt.linux.jna.LibC;
import io.hotvirt.linux.jna.Syscall;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.function.Consumer;

/**
 * Learns when watched processes exit, and reaps those that are our children. One daemon thread
 * polls a pidfd per process; a readable pidfd means the process exited, and then
 * {@code waitid(P_PIDFD, fd, WEXITED)} collects the status of exactly that child. Only WEXITED —
 * never WSTOPPED, never waitpid(-1) — so ptrace stops and other children stay for their owners.
 *
 * <p>The status reported is shell-style: the exit code, or 128 + the signal that killed it; null
 * when it cannot be known because the process is not our child (adopted, or started before a
 * container restart), or had already been reaped.
 *
 * <p>Callbacks run on the reaper thread; they should be quick and must not call {@link #close()}
 * expecting it to wait.
 */
public final class ChildReaper implements AutoCloseable {

    /** Poll timeout: bounds how long close() waits for the thread. */
    private static final int POLL_MILLIS = 200;
    /** A readable pidfd whose child cannot be reaped yet (its tracer has not waited for it): retry after. */
    private static final long RETRY_NANOS = 50_000_000L;

    private record Watch(int pid, int fd, Consumer<Integer> onExit) {
    }

    private final Map<Integer, Watch> watches = new ConcurrentHashMap<>();
    /** fds of watches that were replaced or removed: closed by the reaper thread, after its poll. */
    private final Queue<Integer> toClose = new ConcurrentLinkedQueue<>();
    /** Exits learnt outside the thread (pid already gone when watched), reported on the thread. */
    private final Queue<Runnable> pending = new ConcurrentLinkedQueue<>();
    private final Map<Watch, Long> retryAt = new HashMap<>(); // reaper thread only
    private final LibC c = LibC.INSTANCE;
    private final int wakeFd;
    /** Guards wakeFd against a write after the thread closed it (the number could be reused). */
    private final Object wakeLock = new Object();
    private boolean wakeOpen = true;
    private final Thread thread;
    private volatile boolean closed;

    public ChildReaper(String threadName) {
        try {
            wakeFd = c.eventfd(0, LibC.EFD_CLOEXEC | LibC.EFD_NONBLOCK);
        } catch (LastErrorException e) {
            throw new IllegalStateException("eventfd: " + Errno.describe(e.getErrorCode()), e);
        }
        thread = new Thread(this::run, threadName);
        thread.setDaemon(true);
        thread.start();
    }

    /**
     * Reports the exit of {@code pid} to {@code onExit} once, on the reaper thread. Watching a pid
     * again replaces its callback. A pid that no longer exists is reported at once as null.
     *
     * @throws UncheckedIOException if no pidfd can be opened for another reason than the process being gone
     */
    public void watch(int pid, Consumer<Integer> onExit) {
        if (closed) {
            throw new IllegalStateException("reaper " + thread.getName() + " is closed");
        }
        int fd;
        try {
            fd = (int) c.syscall(Syscall.PIDFD_OPEN, pid, 0);
        } catch (LastErrorException e) {
            if (e.getErrorCode() == Errno.ESRCH) {
                report(() -> onExit.accept(null));
                return;
            }
            throw new UncheckedIOException(PidFd.error("pidfd_open(" + pid + ")", pid, e.getErrorCode(), e));
        }
        synchronized (wakeLock) {
            if (!wakeOpen) { // closed meanwhile: the thread will not close this fd any more
                closeQuietly(fd);
                throw new IllegalStateException("reaper " + thread.getName() + " is closed");
            }
            Watch old = watches.put(pid, new Watch(pid, fd, onExit));
            if (old != null) {
                toClose.add(old.fd());
            }
        }
        wake();
    }

    /** Runs {@code callback} on the reaper thread, in order with the exits it reports. */
    void report(Runnable callback) {
        pending.add(callback);
        wake();
    }

    /** Stops watching; the callback will not be called. */
    public void unwatch(int pid) {
        Watch w = watches.remove(pid);
        if (w != null) {
            toClose.add(w.fd());
            wake();
        }
    }

    /** Stops the thread and closes every pidfd. Kills nothing; watched processes run on. */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        wake();
        if (Thread.currentThread() != thread) {
            try {
                thread.join(5_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    private void run() {
        try {
            while (!closed) {
                closeReleased();
                for (Runnable r; (r = pending.poll()) != null; ) {
                    deliver(r);
                }
                List<Watch> polled = pollable();
                Memory fds = new Memory((long) (polled.size() + 1) * LibC.POLLFD_SIZE);
                fds.clear();
                fds.setInt(0, wakeFd);
                fds.setShort(4, LibC.POLLIN);
                for (int i = 0; i < polled.size(); i++) {
                    fds.setInt((i + 1L) * LibC.POLLFD_SIZE, polled.get(i).fd());
                    fds.setShort((i + 1L) * LibC.POLLFD_SIZE + 4, LibC.POLLIN);
                }
                try {
                    c.poll(fds, polled.size() + 1, POLL_MILLIS);
                } catch (LastErrorException e) {
                    if (e.getErrorCode() != Errno.EINTR) {
                        throw new IOException("poll: " + Errno.describe(e.getErrorCode()), e);
                    }
                    continue;
                }
                if (fds.getShort(6) != 0) {
                    drainWake();
                }
                for (int i = 0; i < polled.size(); i++) {
                    Watch w = polled.get(i);
                    if (fds.getShort((i + 1L) * LibC.POLLFD_SIZE + 6) != 0 && watches.get(w.pid()) == w) {
                        reap(w);
                    }
                }
            }
        } catch (Throwable t) {
            // nothing sensible left to do on this thread: report it like any uncaught exception
            thread.getUncaughtExceptionHandler().uncaughtException(thread, t);
        } finally {
            closed = true;
            synchronized (wakeLock) {
                wakeOpen = false;
                for (Watch w : watches.values()) {
                    toClose.add(w.fd());
                }
                watches.clear();
                closeReleased();
                closeQuietly(wakeFd);
            }
        }
    }

    private List<Watch> pollable() {
        long now = System.nanoTime();
        retryAt.keySet().removeIf(w -> watches.get(w.pid()) != w);
        List<Watch> out = new ArrayList<>();
        for (Watch w : watches.values()) {
            Long at = retryAt.get(w);
            if (at == null || now - at >= 0) {
                out.add(w);
            }
        }
        return out;
    }

    private void reap(Watch w) {
        Memory info = new Memory(LibC.SIGINFO_SIZE);
        info.clear();
        Integer status;
        try {
            c.syscall(Syscall.WAITID, LibC.P_PIDFD, w.fd(), info, LibC.WEXITED | LibC.WNOHANG, Pointer.NULL);
            if (info.getInt(16) == 0) { // si_pid 0: exited but not reapable yet (a tracer sees it first)
                retryAt.put(w, System.nanoTime() + RETRY_NANOS);
                return;
            }
            status = shellStatus(info.getInt(8), info.getInt(24));
        } catch (LastErrorException e) {
            status = null; // ECHILD: not our child (or reaped elsewhere): the status is unknowable
        }
        retryAt.remove(w);
        if (watches.remove(w.pid(), w)) {
            closeQuietly(w.fd());
            Integer result = status;
            deliver(() -> w.onExit().accept(result));
        }
    }

    /** si_code/si_status of a SIGCHLD siginfo → exit code, or 128 + signal. */
    static Integer shellStatus(int code, int status) {
        return switch (code) {
            case LibC.CLD_EXITED -> status;
            case LibC.CLD_KILLED, LibC.CLD_DUMPED -> 128 + status;
            default -> null;
        };
    }

    private void deliver(Runnable callback) {
        try {
            callback.run();
        } catch (RuntimeException e) {
            // a faulty callback must not stop the reaper for every other process
            thread.getUncaughtExceptionHandler().uncaughtException(thread, e);
        }
    }

    private void wake() {
        Memory one = new Memory(8);
        one.setLong(0, 1);
        synchronized (wakeLock) {
            if (!wakeOpen) {
                return;
            }
            try {
                c.write(wakeFd, one, 8);
            } catch (LastErrorException e) {
                // EAGAIN: the counter is already at its maximum, the thread wakes anyway
            }
        }
    }

    private void drainWake() {
        Memory buf = new Memory(8);
        try {
            c.read(wakeFd, buf, 8);
        } catch (LastErrorException e) {
            // EAGAIN: already drained
        }
    }

    private void closeReleased() {
        for (Integer fd; (fd = toClose.poll()) != null; ) {
            closeQuietly(fd);
        }
    }

    private void closeQuietly(int fd) {
        try {
            c.close(fd);
        } catch (LastErrorException e) {
            // the fd is released either way
        }
    }
}
