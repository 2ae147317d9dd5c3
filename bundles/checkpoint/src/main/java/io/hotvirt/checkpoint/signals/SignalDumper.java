package io.hotvirt.checkpoint.signals;

import io.hotvirt.linux.jna.LibC;
import io.hotvirt.linux.jna.Syscall;
import io.hotvirt.linux.proc.ProcStatus;
import io.hotvirt.linux.proc.Procfs;
import io.hotvirt.linux.ptrace.PeekSigInfo;
import io.hotvirt.linux.ptrace.ProcessMemory;
import io.hotvirt.linux.ptrace.SyscallInjector;
import io.hotvirt.linux.ptrace.Tracer;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;

import static io.hotvirt.linux.process.Signals.SIGCHLD;
import static io.hotvirt.linux.process.Signals.SIGKILL;
import static io.hotvirt.linux.process.Signals.SIGSTOP;

/**
 * Reads the signal state of a process whose threads are all in ptrace-stop: dispositions,
 * sigaltstack and interval timers by injecting rt_sigaction(sig, NULL, &old, 8),
 * sigaltstack(NULL, &old), getitimer(which, &old) and timer_gettime(id, &old) with {@code old} in a
 * scratch page mapped into the process for the occasion (and unmapped again); POSIX timers'
 * ids, clocks and notifications from /proc/PID/timers, blocked masks from /proc; pending signals
 * with PTRACE_PEEKSIGINFO, without dequeuing them.
 *
 * <p>Each injection is a few ptrace round trips, so only the dispositions that matter are asked
 * for: those /proc/PID/status lists as ignored (SigIgn) or caught (SigCgt), and SIGCHLD, whose
 * SA_NOCLDSTOP and SA_NOCLDWAIT change what the kernel does even under SIG_DFL. Every other signal
 * has SIG_DFL, where flags, mask and restorer change nothing, and is recorded as SIG_DFL without
 * them (only a program reading its own old flags back with sigaction could tell). The whole dump
 * runs on the tracer's thread, sparing a thread hand-off per ptrace call.
 */
public final class SignalDumper {

    private static final int SIGSET_BYTES = LibC.KERNEL_SIGSET_SIZE;
    private static final int PAGE = 4096;

    private SignalDumper() {
    }

    /**
     * @param tids the process's threads, all stopped under {@code tracer}; syscalls are injected into the first
     */
    public static ProcessSignals dump(Tracer tracer, SyscallInjector injector, int pid, List<Integer> tids)
            throws IOException {
        if (tids.isEmpty()) {
            throw new IllegalArgumentException("process " + pid + ": no thread to inject into");
        }
        return tracer.execute(() -> dumpOnTracer(tracer, injector, pid, tids));
    }

    private static ProcessSignals dumpOnTracer(Tracer tracer, SyscallInjector injector, int pid, List<Integer> tids)
            throws IOException {
        int main = tids.get(0);
        ProcStatus process = Procfs.status(pid).orElseThrow(() -> new IOException("process " + pid + " has exited"));
        long notDefault = process.sigIgn() | process.sigCgt() | 1L << (SIGCHLD - 1);
        long scratch = injector.mapScratch(main, PAGE);
        IOException failure = null;
        try {
            List<SignalAction> actions = new ArrayList<>();
            for (int sig = 1; sig <= 64; sig++) {
                if (sig == SIGKILL || sig == SIGSTOP) {
                    continue;
                }
                if (!ProcStatus.hasSignal(notDefault, sig)) {
                    actions.add(new SignalAction(sig, SignalAction.SIG_DFL, 0, 0, 0));
                    continue;
                }
                injector.call(main, "rt_sigaction(" + sig + ")", Syscall.RT_SIGACTION, sig, 0, scratch, SIGSET_BYTES);
                ByteBuffer b = read(pid, scratch, 32);
                actions.add(new SignalAction(sig, b.getLong(0), b.getLong(8), b.getLong(16), b.getLong(24)));
            }
            List<IntervalTimer> timers = new ArrayList<>();
            for (int which = IntervalTimer.ITIMER_REAL; which <= IntervalTimer.ITIMER_PROF; which++) {
                injector.call(main, "getitimer(" + which + ")", Syscall.GETITIMER, which, scratch);
                ByteBuffer b = read(pid, scratch, 32);
                timers.add(new IntervalTimer(which, b.getLong(0), b.getLong(8), b.getLong(16), b.getLong(24)));
            }
            List<PosixTimer> posixTimers = new ArrayList<>();
            for (PosixTimer t : posixTimers(pid)) {
                injector.call(main, "timer_gettime(" + t.id() + ")", Syscall.TIMER_GETTIME, t.id(), scratch);
                ByteBuffer b = read(pid, scratch, 32); // struct itimerspec {it_interval, it_value}
                posixTimers.add(t.withTimes(nanos(b, 16), nanos(b, 0)));
            }
            List<ThreadSignals> threads = new ArrayList<>();
            for (int tid : tids) {
                injector.call(tid, "sigaltstack", Syscall.SIGALTSTACK, 0, scratch);
                ByteBuffer b = read(pid, scratch, 24);
                AltStack alt = new AltStack(b.getLong(0), b.getInt(8), b.getLong(16));
                ProcStatus status = Procfs.taskStatus(pid, tid).orElseThrow(
                        () -> new IOException("thread " + tid + " of process " + pid + " has exited"));
                threads.add(new ThreadSignals(tid, status.sigBlk(), queued(PeekSigInfo.peek(tracer, tid, false)), alt));
            }
            List<QueuedSignal> shared = queued(PeekSigInfo.peek(tracer, main, true));
            return new ProcessSignals(pid, actions, shared, timers, threads, posixTimers);
        } catch (IOException | RuntimeException e) {
            if (e instanceof IOException io) {
                failure = io;
            }
            throw e;
        } finally {
            try {
                injector.unmap(main, scratch, PAGE);
            } catch (IOException e) {
                if (failure == null) {
                    throw e;
                }
                failure.addSuppressed(e); // the first failure (often: the thread exited) is the one to report
            }
        }
    }

    private static List<PosixTimer> posixTimers(int pid) throws IOException {
        String text;
        try {
            text = Files.readString(Path.of("/proc", Integer.toString(pid), "timers"));
        } catch (NoSuchFileException e) {
            return List.of(); // a kernel without CONFIG_CHECKPOINT_RESTORE shows no timers at all
        }
        try {
            return PosixTimer.parse(text);
        } catch (IllegalArgumentException e) {
            throw new IOException("process " + pid + ": " + e.getMessage(), e);
        }
    }

    private static long nanos(ByteBuffer timespec, int at) {
        return timespec.getLong(at) * 1_000_000_000L + timespec.getLong(at + 8);
    }

    private static ByteBuffer read(int pid, long address, int length) throws IOException {
        return ByteBuffer.wrap(ProcessMemory.read(pid, address, length)).order(ByteOrder.LITTLE_ENDIAN);
    }

    private static List<QueuedSignal> queued(List<byte[]> infos) {
        List<QueuedSignal> out = new ArrayList<>();
        for (byte[] info : infos) {
            out.add(new QueuedSignal(PeekSigInfo.signo(info), PeekSigInfo.code(info),
                    Base64.getEncoder().encodeToString(info)));
        }
        return out;
    }
}
