package io.hotvirt.checkpoint.freeze;

import io.hotvirt.linux.cgroup.DomainCgroup;

import java.io.IOException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

/**
 * Thaws a frozen cgroup when a PTRACE_SEIZE is stuck. Seizing a thread stopped by job control
 * (state T) waits until that thread traps, which a frozen thread never does: the seize, and with it
 * the tracer thread and the whole dump, would wait until someone killed the workload.
 * {@link DomainFreezer} seizes the stopped threads before it freezes the cgroup, but a thread stopped
 * between that look and the freeze is only caught here: thawed, it traps and the seize returns. The
 * freeze then goes on with the cgroup thawed, which is sound: every thread seized so far is held by
 * ptrace, and the listing rounds catch whatever appears meanwhile.
 */
final class SeizeWatchdog implements AutoCloseable {

    /** A seize of a running or frozen-running thread takes microseconds. */
    static final long STUCK_NANOS = TimeUnit.MILLISECONDS.toNanos(200);
    private static final long POLL_NANOS = TimeUnit.MILLISECONDS.toNanos(20);

    private final DomainCgroup cgroup;
    private final AtomicBoolean frozen;
    private final AtomicLong thawedAt;
    private final Thread thread;
    /** When the seize in progress began; 0: none in progress. */
    private volatile long seizingSince;
    private volatile boolean closed;

    /**
     * @param frozen   whether the cgroup is frozen, shared with the freezer: whoever thaws clears it
     * @param thawedAt set to the time of the thaw, when this watchdog thaws
     */
    SeizeWatchdog(DomainCgroup cgroup, AtomicBoolean frozen, AtomicLong thawedAt) {
        this.cgroup = cgroup;
        this.frozen = frozen;
        this.thawedAt = thawedAt;
        this.thread = new Thread(this::watch, "hotvirt-seize-watchdog");
        thread.setDaemon(true);
        thread.start();
    }

    /** A seize begins (on the tracer thread). */
    void seizing() {
        seizingSince = System.nanoTime() | 1; // never 0
    }

    /** The seize returned. */
    void seized() {
        seizingSince = 0;
    }

    private void watch() {
        while (!closed) {
            LockSupport.parkNanos(POLL_NANOS);
            long since = seizingSince;
            if (since != 0 && System.nanoTime() - since > STUCK_NANOS && frozen.getAndSet(false)) {
                try {
                    cgroup.thaw();
                    thawedAt.set(System.nanoTime());
                } catch (IOException | RuntimeException e) {
                    frozen.set(true); // still frozen as far as anyone knows: the freezer's clean-up thaws it
                }
            }
        }
    }

    @Override
    public void close() {
        closed = true;
        LockSupport.unpark(thread);
        try {
            thread.join(TimeUnit.NANOSECONDS.toMillis(POLL_NANOS) * 10);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
