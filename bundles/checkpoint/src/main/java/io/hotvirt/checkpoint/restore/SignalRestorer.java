package io.hotvirt.checkpoint.restore;

import io.hotvirt.checkpoint.signals.AltStack;
import io.hotvirt.checkpoint.signals.IntervalTimer;
import io.hotvirt.checkpoint.signals.ProcessSignals;
import io.hotvirt.checkpoint.signals.QueuedSignal;
import io.hotvirt.checkpoint.signals.SignalAction;
import io.hotvirt.checkpoint.signals.ThreadSignals;
import io.hotvirt.linux.jna.LibC;
import io.hotvirt.linux.jna.Syscall;
import io.hotvirt.linux.ptrace.PeekSigInfo;
import io.hotvirt.linux.ptrace.SignalMask;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;

import static io.hotvirt.linux.process.Signals.SIGKILL;
import static io.hotvirt.linux.process.Signals.SIGSTOP;

/**
 * Puts a process's saved signal state ({@link ProcessSignals}, from the signal dump) back into a
 * process being restored, in two steps:
 * <ol>
 *   <li>{@link #restore}: every disposition, each thread's sigaltstack and (but for SIGTRAP) blocked
 *       mask, and the interval timers;</li>
 *   <li>{@link #queuePending}: the pending signals, each with its saved siginfo, then every thread's
 *       exact saved mask.</li>
 * </ol>
 * The engine must call {@link #queuePending} as the very last injection into the process: a pending
 * signal a thread does not block is dequeued whenever that thread returns to user space for an
 * injected syscall, and the injector must then hand it back (see
 * {@link io.hotvirt.linux.ptrace.SyscallInjector}), a stop per syscall.
 *
 * <p>Masks are set with PTRACE_SETSIGMASK, which runs nothing in the thread. SIGTRAP stays unblocked
 * until {@link #queuePending} sets each saved mask in full: a rule from when injection single-stepped
 * (the kernel's forced step trap unblocked SIGTRAP and reset its action), kept as it costs nothing.
 *
 * <p>Saved threads are matched to the restored ones by tid when the restored process has every
 * saved tid (original PIDs), else by position (main thread first). Uses at most
 * {@link #SCRATCH_BYTES} of the process's scratch area. Errors are IOExceptions naming the
 * process, thread, signal and syscall.
 */
public final class SignalRestorer {

    /** Bytes of the scratch area used (one siginfo_t, the largest struct written). */
    public static final int SCRATCH_BYTES = PeekSigInfo.SIGINFO_SIZE;

    private static final int SIGSET_BYTES = LibC.KERNEL_SIGSET_SIZE;
    private static final long SIGTRAP_BIT = 1L << (5 - 1);
    private static final long BLOCK_ALL = ~SIGTRAP_BIT; // the kernel leaves SIGKILL and SIGSTOP out itself
    private static final String[] NAMES = {null, "SIGHUP", "SIGINT", "SIGQUIT", "SIGILL", "SIGTRAP", "SIGABRT",
        "SIGBUS", "SIGFPE", "SIGKILL", "SIGUSR1", "SIGSEGV", "SIGUSR2", "SIGPIPE", "SIGALRM", "SIGTERM", "SIGSTKFLT",
        "SIGCHLD", "SIGCONT", "SIGSTOP", "SIGTSTP", "SIGTTIN", "SIGTTOU", "SIGURG", "SIGXCPU", "SIGXFSZ", "SIGVTALRM",
        "SIGPROF", "SIGWINCH", "SIGIO", "SIGPWR", "SIGSYS"};

    private SignalRestorer() {
    }

    /**
     * Sets every disposition (1..64 but SIGKILL and SIGSTOP; one not saved is reset to SIG_DFL, as
     * the process was cloned from a husk whose dispositions it inherited), then per thread its
     * blocked mask (SIGTRAP left unblocked until {@link #queuePending}) and sigaltstack (injected in
     * that thread, being per-thread), then ITIMER_REAL,
     * ITIMER_VIRTUAL and ITIMER_PROF (process-wide) with their saved remaining value and interval.
     */
    public static void restore(RestoringProcess p, ProcessSignals s) throws IOException {
        for (int sig = 1; sig <= 64; sig++) {
            if (sig == SIGKILL || sig == SIGSTOP) {
                continue;
            }
            SignalAction a = s.action(sig).orElse(new SignalAction(sig, SignalAction.SIG_DFL, 0, 0, 0));
            write(p, le(32).putLong(a.handler()).putLong(a.flags()).putLong(a.restorer()).putLong(a.mask()));
            call(p, p.pid(), sig, "rt_sigaction", Syscall.RT_SIGACTION, sig, p.scratch(), 0, SIGSET_BYTES);
        }
        for (Map.Entry<Integer, ThreadSignals> e : threads(p, s)) {
            int tid = e.getKey();
            ThreadSignals t = e.getValue();
            setMask(p, tid, t.blocked() & ~SIGTRAP_BIT);
            AltStack alt = t.altStack();
            // stack_t {ss_sp, ss_flags, ss_size}; SS_ONSTACK only reports that the thread ran on it
            write(p, alt.disabled() ? le(24).putLong(0).putInt(AltStack.SS_DISABLE).putInt(0).putLong(0)
                    : le(24).putLong(alt.sp()).putInt(alt.flags() & ~AltStack.SS_ONSTACK).putInt(0).putLong(alt.size()));
            call(p, tid, 0, "sigaltstack", Syscall.SIGALTSTACK, p.scratch(), 0);
        }
        for (IntervalTimer t : s.timers()) {
            // struct itimerval {it_interval, it_value}; a zero value disarms what the process may have had
            write(p, le(32).putLong(t.intervalSec()).putLong(t.intervalUsec()).putLong(t.valueSec()).putLong(t.valueUsec()));
            call(p, p.pid(), 0, "setitimer(" + timerName(t.which()) + ")", Syscall.SETITIMER, t.which(), p.scratch(), 0);
        }
    }

    /**
     * Queues the saved pending signals again, each with its saved 128-byte siginfo and in the saved
     * order (standard signals coalesce, real-time ones queue, as they did): a thread's own with
     * rt_tgsigqueueinfo, the shared ones with rt_sigqueueinfo; then sets every thread's exact saved
     * mask. Call it as the very last injection into the process, after {@link #restore} and
     * everything else.
     *
     * <p>Each thread queues its own signals itself (the kernel accepts a siginfo with an si_code of
     * kill, tgkill or the kernel only from the target thread), and the main thread (tid = pid, by the
     * same rule) the shared ones after all other threads are done. While a thread queues, it blocks
     * every signal but SIGTRAP, so none of its syscalls delivers one; the saved masks come last, by
     * PTRACE_SETSIGMASK, so what they unblock stays pending until the process runs.
     */
    public static void queuePending(RestoringProcess p, ProcessSignals s) throws IOException {
        List<Map.Entry<Integer, ThreadSignals>> threads = threads(p, s);
        Map.Entry<Integer, ThreadSignals> main = null;
        for (Map.Entry<Integer, ThreadSignals> e : threads) {
            if (e.getKey() == p.pid()) {
                main = e;
            } else {
                queueInThread(p, e.getKey(), e.getValue().pending(), List.of());
            }
        }
        if (main != null) {
            queueInThread(p, main.getKey(), main.getValue().pending(), s.sharedPending());
        } else if (!s.sharedPending().isEmpty()) {
            throw new IOException("process " + p.pid() + ": no saved state for its main thread, which must queue"
                    + " the " + s.sharedPending().size() + " shared pending signal(s)");
        }
        for (Map.Entry<Integer, ThreadSignals> e : threads) {
            setMask(p, e.getKey(), e.getValue().blocked());
        }
    }

    /** In thread {@code tid}, all but SIGTRAP blocked: queues {@code shared}, then its own. */
    private static void queueInThread(RestoringProcess p, int tid, List<QueuedSignal> own, List<QueuedSignal> shared)
            throws IOException {
        if (own.isEmpty() && shared.isEmpty()) {
            return;
        }
        setMask(p, tid, BLOCK_ALL);
        for (QueuedSignal q : shared) {
            write(p, siginfo(p, tid, q));
            call(p, tid, q.signo(), "rt_sigqueueinfo", Syscall.RT_SIGQUEUEINFO, p.inner(p.pid()), q.signo(),
                    p.scratch());
        }
        for (QueuedSignal q : own) {
            write(p, siginfo(p, tid, q));
            call(p, tid, q.signo(), "rt_tgsigqueueinfo", Syscall.RT_TGSIGQUEUEINFO, p.inner(p.pid()), p.inner(tid),
                    q.signo(), p.scratch());
        }
    }

    private static void setMask(RestoringProcess p, int tid, long mask) throws IOException {
        try {
            SignalMask.set(p.tracer(), tid, mask);
        } catch (IOException e) {
            throw new IOException("restoring signals of process " + p.pid() + " thread " + tid + ": blocked mask 0x"
                    + Long.toHexString(mask) + ": " + e.getMessage(), e);
        }
    }

    private static ByteBuffer siginfo(RestoringProcess p, int tid, QueuedSignal q) throws IOException {
        byte[] info;
        try {
            info = Base64.getDecoder().decode(q.siginfo());
        } catch (IllegalArgumentException e) {
            info = new byte[0];
        }
        if (info.length != PeekSigInfo.SIGINFO_SIZE || PeekSigInfo.signo(info) != q.signo()) {
            throw new IOException("process " + p.pid() + " thread " + tid + ", " + name(q.signo())
                    + ": the saved siginfo is not a " + PeekSigInfo.SIGINFO_SIZE + "-byte siginfo_t of that signal");
        }
        return ByteBuffer.wrap(info);
    }

    /** Saved threads paired with restored tids: by tid when all are there (original PIDs), else by position. */
    private static List<Map.Entry<Integer, ThreadSignals>> threads(RestoringProcess p, ProcessSignals s)
            throws IOException {
        List<Map.Entry<Integer, ThreadSignals>> out = new ArrayList<>();
        Map<Integer, Integer> byInner = new java.util.HashMap<>();
        p.tids().forEach(t -> byInner.put(p.inner(t), t));
        boolean sameTids = s.threads().stream().allMatch(t -> byInner.containsKey(t.tid()));
        if (!sameTids && s.threads().size() != p.tids().size()) {
            throw new IOException("process " + p.pid() + ": " + s.threads().size() + " threads saved with signal state "
                    + "but " + p.tids().size() + " restored");
        }
        for (int i = 0; i < s.threads().size(); i++) {
            ThreadSignals t = s.threads().get(i);
            out.add(Map.entry(sameTids ? byInner.get(t.tid()) : p.tids().get(i), t));
        }
        return out;
    }

    private static void write(RestoringProcess p, ByteBuffer b) throws IOException {
        try {
            p.write(p.scratch(), b.array());
        } catch (IOException e) {
            throw new IOException("process " + p.pid() + ": writing a signal syscall's argument into the scratch area"
                    + " at 0x" + Long.toHexString(p.scratch()) + ": " + e.getMessage(), e);
        }
    }

    /** The injected syscall; a failure says process, thread, signal (if {@code sig} > 0) and syscall. */
    private static void call(RestoringProcess p, int tid, int sig, String syscall, long nr, long... args)
            throws IOException {
        try {
            p.call(tid, syscall, nr, args);
        } catch (IOException e) {
            throw new IOException("restoring signals of process " + p.pid() + " thread " + tid
                    + (sig > 0 ? ", " + name(sig) : "") + ": " + syscall + " failed: " + e.getMessage(), e);
        }
    }

    private static ByteBuffer le(int size) {
        return ByteBuffer.allocate(size).order(ByteOrder.LITTLE_ENDIAN);
    }

    static String name(int sig) {
        return sig < NAMES.length ? "signal " + sig + " (" + NAMES[sig] + ")" : "signal " + sig;
    }

    private static String timerName(int which) {
        return switch (which) {
            case IntervalTimer.ITIMER_REAL -> "ITIMER_REAL";
            case IntervalTimer.ITIMER_VIRTUAL -> "ITIMER_VIRTUAL";
            case IntervalTimer.ITIMER_PROF -> "ITIMER_PROF";
            default -> "timer " + which;
        };
    }
}
