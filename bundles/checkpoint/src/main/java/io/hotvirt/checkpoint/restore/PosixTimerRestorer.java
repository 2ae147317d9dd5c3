package io.hotvirt.checkpoint.restore;

import io.hotvirt.checkpoint.signals.PosixTimer;
import io.hotvirt.checkpoint.signals.ProcessSignals;
import io.hotvirt.linux.jna.Errno;
import io.hotvirt.linux.jna.Syscall;
import io.hotvirt.linux.ptrace.ProcessMemory;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.List;

import static io.hotvirt.linux.jna.LibC.PR_TIMER_CREATE_RESTORE_IDS;

/**
 * Re-creates a process's POSIX timers with their saved IDs (a program holds its timer_t values):
 * with PR_TIMER_CREATE_RESTORE_IDS on (Linux 6.15+), timer_create takes the ID preset in its
 * output argument. Each is then armed with its saved remaining time and period, relative (the
 * downtime does not count). Runs in the main thread; must run once every thread exists, as a
 * SIGEV_THREAD_ID timer names one. Uses {@link #SCRATCH_BYTES} of the scratch area.
 */
public final class PosixTimerRestorer {

    public static final int SCRATCH_BYTES = 112;

    private static final int ON = 1;
    private static final int OFF = 0;
    private static final int SIGEVENT_BYTES = 64;
    private static final int ID_AT = 64;
    private static final int ITIMERSPEC_AT = 80;
    private static final long NANOS = 1_000_000_000L;

    private PosixTimerRestorer() {
    }

    public static void restore(RestoringProcess p, ProcessSignals s) throws IOException {
        List<PosixTimer> timers = s.posixTimers();
        if (timers.isEmpty()) {
            return;
        }
        long on = p.callRaw("prctl(PR_TIMER_CREATE_RESTORE_IDS, ON)", Syscall.PRCTL, PR_TIMER_CREATE_RESTORE_IDS, ON,
                0, 0, 0);
        if (on < 0) {
            throw new IOException(at(p, timers.get(0)) + ": the kernel cannot create a timer with a given ID"
                    + " (prctl(PR_TIMER_CREATE_RESTORE_IDS) failed: " + Errno.describe((int) -on)
                    + "; Linux 6.15 or later can), and the program knows its timers by ID");
        }
        try {
            for (PosixTimer t : timers) {
                create(p, t);
            }
        } catch (IOException | RuntimeException e) {
            try {
                off(p);
            } catch (IOException second) {
                e.addSuppressed(second); // the timer's failure is the one to report
            }
            throw e;
        }
        off(p);
    }

    /** ON would make the program's own later timer_create calls read their ID argument. */
    private static void off(RestoringProcess p) throws IOException {
        p.call("prctl(PR_TIMER_CREATE_RESTORE_IDS, OFF)", Syscall.PRCTL, PR_TIMER_CREATE_RESTORE_IDS, OFF, 0, 0, 0);
    }

    private static void create(RestoringProcess p, PosixTimer t) throws IOException {
        if (t.toThread() && p.tids().stream().noneMatch(tid -> p.inner(tid) == t.notifyTid())) {
            throw new IOException(at(p, t) + ": it signals thread " + t.notifyTid() + ", which was not restored");
        }
        // struct sigevent: sigev_value @0, sigev_signo @8, sigev_notify @12, sigev_notify_thread_id @16;
        // the image's tid is the one the process's own PID namespace gives the thread
        ByteBuffer ev = le(SIGEVENT_BYTES).putLong(0, t.sigval()).putInt(8, t.signo()).putInt(12, t.sigevNotify())
                .putInt(16, t.toThread() ? t.notifyTid() : 0);
        p.write(p.scratch(), ev.array());
        p.write(p.scratch() + ID_AT, le(4).putInt(0, t.id()).array());
        call(p, t, "timer_create", Syscall.TIMER_CREATE, t.clock(), p.scratch(), p.scratch() + ID_AT);
        int made = le(4).put(ProcessMemory.read(p.pid(), p.scratch() + ID_AT, 4)).getInt(0);
        if (made != t.id()) {
            throw new IOException(at(p, t) + ": timer_create made ID " + made + " instead");
        }
        if (t.valueNanos() == 0) {
            return; // disarmed, as created
        }
        ByteBuffer spec = le(32).putLong(t.intervalNanos() / NANOS).putLong(t.intervalNanos() % NANOS)
                .putLong(t.valueNanos() / NANOS).putLong(t.valueNanos() % NANOS);
        p.write(p.scratch() + ITIMERSPEC_AT, spec.array());
        call(p, t, "timer_settime", Syscall.TIMER_SETTIME, t.id(), 0, p.scratch() + ITIMERSPEC_AT, 0);
    }

    private static void call(RestoringProcess p, PosixTimer t, String name, long nr, long... args) throws IOException {
        try {
            p.call(name, nr, args);
        } catch (IOException e) {
            throw new IOException(at(p, t) + ": " + name + " failed: " + e.getMessage(), e);
        }
    }

    private static String at(RestoringProcess p, PosixTimer t) {
        return "restoring POSIX timer ID " + t.id() + " (clock " + t.clock() + ") of process " + p.pid();
    }

    private static ByteBuffer le(int size) {
        return ByteBuffer.allocate(size).order(ByteOrder.LITTLE_ENDIAN);
    }
}
