package io.hotvirt.linux.process;

import io.hotvirt.linux.proc.ProcStat;
import io.hotvirt.linux.proc.Procfs;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;

import java.util.HashMap;
import java.util.Map;
import java.util.function.Consumer;

/**
 * Reaps the processes hotvirt watches, with or without someone listening, and keeps the exit
 * status of each one that ended while nobody listened until it is asked for again.
 *
 * <p>The JVM is the parent of every process hotvirt launched; a child that dies stays a zombie
 * until the JVM reaps it, and its PID stays taken. The monitor (io.hotvirt.core) may be stopped
 * for maintenance at any time, so the reaping lives here, in a service of the linux bundle that
 * outlives it: the monitor {@link #detach}es when it stops and {@link #watch}es again when it
 * starts, and then learns the real exit status of a root that died meanwhile.
 */
@Component(service = ChildExits.class, immediate = true)
public final class ChildExits implements AutoCloseable {

    /** One watched process; {@code listener} null while nobody listens, {@code exited} once reaped. */
    private static final class Entry {
        final long startTicks;
        Consumer<Integer> listener;
        boolean exited;
        Integer status;

        Entry(long startTicks, Consumer<Integer> listener) {
            this.startTicks = startTicks;
            this.listener = listener;
        }
    }

    private final ChildReaper reaper;
    private final Map<Integer, Entry> entries = new HashMap<>(); // guarded by this

    public ChildExits() {
        this.reaper = new ChildReaper("hotvirt-reaper");
    }

    /**
     * Reports once, on the reaper thread, the exit of the process {@code pid} that started at
     * {@code startTicks} (from /proc/PID/stat, so a reused PID is never taken for it): its exit code or
     * 128 + signal when it is this JVM's child, else null. If it ended while detached, the kept status
     * is reported at once; if no such process exists any more, null is.
     */
    public void watch(int pid, long startTicks, Consumer<Integer> onExit) {
        Entry entry;
        synchronized (this) {
            Entry known = entries.get(pid);
            if (known != null && known.startTicks == startTicks) {
                if (known.exited) {
                    entries.remove(pid);
                    Integer status = known.status;
                    reaper.report(() -> onExit.accept(status));
                } else {
                    known.listener = onExit; // the reaper watches it already
                }
                return;
            }
            entry = new Entry(startTicks, onExit);
            entries.put(pid, entry); // a different startTicks: an older process that had this PID
        }
        reaper.watch(pid, status -> exited(pid, entry, status));
        // the pidfd is open now: if the PID still names the process that started at startTicks, it is that one
        if (Procfs.stat(pid).map(ProcStat::startTimeTicks).orElse(startTicks) != startTicks) {
            reaper.unwatch(pid); // a newer process with the same PID: none of ours to reap
            reaper.report(() -> exited(pid, entry, null));
        }
    }

    /**
     * Stops reporting the exit of {@code pid}, but keeps reaping it and keeps its status for the
     * next {@link #watch}.
     */
    public synchronized void detach(int pid) {
        Entry entry = entries.get(pid);
        if (entry != null) {
            entry.listener = null;
        }
    }

    private void exited(int pid, Entry entry, Integer status) {
        Consumer<Integer> listener;
        synchronized (this) {
            if (entries.get(pid) != entry) {
                return; // replaced meanwhile by a watch of a newer process
            }
            listener = entry.listener;
            if (listener == null) {
                entry.exited = true;
                entry.status = status;
                return;
            }
            entries.remove(pid);
        }
        listener.accept(status);
    }

    /** Stops reaping (the bundle stops). Kills nothing; a later watch reaps what died meanwhile. */
    @Deactivate
    @Override
    public void close() {
        reaper.close();
    }
}
