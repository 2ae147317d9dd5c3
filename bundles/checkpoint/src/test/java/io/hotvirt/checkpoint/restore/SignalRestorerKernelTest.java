package io.hotvirt.checkpoint.restore;

import io.hotvirt.checkpoint.freeze.DomainFreezer;
import io.hotvirt.checkpoint.freeze.SignalsWorkload;
import io.hotvirt.checkpoint.signals.AltStack;
import io.hotvirt.checkpoint.signals.IntervalTimer;
import io.hotvirt.checkpoint.signals.ProcessSignals;
import io.hotvirt.checkpoint.signals.QueuedSignal;
import io.hotvirt.checkpoint.signals.SignalAction;
import io.hotvirt.checkpoint.signals.SignalDumper;
import io.hotvirt.checkpoint.signals.ThreadSignals;
import io.hotvirt.linux.jna.Syscall;
import io.hotvirt.linux.ptrace.PeekSigInfo;
import io.hotvirt.linux.ptrace.ProcessMemory;
import io.hotvirt.linux.ptrace.SignalMask;
import io.hotvirt.linux.ptrace.Tracer;
import io.hotvirt.linux.ptrace.WaitStatus;
import io.hotvirt.linux.testing.KernelTestTimeout;
import io.hotvirt.linux.testing.Privileged;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;

import static io.hotvirt.linux.process.Signals.SIGHUP;
import static io.hotvirt.linux.process.Signals.SIGINT;
import static io.hotvirt.linux.process.Signals.SIGPIPE;
import static io.hotvirt.linux.process.Signals.SIGSEGV;
import static io.hotvirt.linux.process.Signals.SIGTERM;
import static io.hotvirt.linux.process.Signals.SIGTRAP;
import static io.hotvirt.linux.process.Signals.SIGUSR1;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertThrows;
import static org.junit.Assert.assertTrue;

/**
 * The signal state of the real signals.c workload (4 threads), dumped with SignalDumper, restored
 * into a husk made 4-threaded by injected clone3, and read back with the same dumper.
 */
public class SignalRestorerKernelTest {

    /** Every test here traces processes: a hung tracee fails the test, not the build. */
    @Rule(order = KernelTestTimeout.ORDER)
    public final KernelTestTimeout timeout = KernelTestTimeout.seconds(60);

    private static final int SI_USER = 0;
    private static final int SI_TKILL = -6;
    private static final int SEGV_MAPERR = 1;
    private static final long THREAD_FLAGS = 0x100 | 0x200 | 0x400 | 0x800 | 0x10000 | 0x40000; // VM FS FILES SIGHAND THREAD SYSVSEM

    @Rule
    public final TemporaryFolder tmp = new TemporaryFolder();

    @Test
    public void restoresTheWorkloadsSignalStateIntoAFourThreadHusk() throws Exception {
        Privileged.assume("root (ptrace)");
        ProcessSignals saved;
        try (SignalsWorkload w = SignalsWorkload.start(List.of(), tmp.getRoot().toPath())) {
            try (DomainFreezer f = DomainFreezer.freezeProcesses(List.of(w.pid))) {
                saved = SignalDumper.dump(f.tracer(), f.injector(w.pid), w.pid, f.threads().get(w.pid));
            }
            assertEquals("PASS", w.selfCheck(5000));
        }
        assertEquals(4, saved.threads().size());
        ProcessSignals wanted = enrich(saved);

        try (Tracer tracer = Tracer.start("signal-restore-test");
             Husk husk = Husk.start(tracer, HuskBinary.path(), 5_000)) {
            int h = husk.pid();
            List<Integer> tids = new ArrayList<>(List.of(h));
            try {
                long scratch = husk.injector().mapScratch(h, RestoringProcess.SCRATCH_BYTES);
                for (int i = 1; i < 4; i++) {
                    tids.add(cloneThread(tracer, husk, scratch));
                }
                // the husk has state of its own that restore must replace: SIGPIPE ignored (not saved: back to SIG_DFL)
                ProcessMemory.write(h, scratch, le(32).putLong(SignalAction.SIG_IGN).array());
                husk.injector().call(h, "rt_sigaction", Syscall.RT_SIGACTION, SIGPIPE, scratch, 0, 8);

                RestoringProcess p = new RestoringProcess(tracer, h, tids, husk.injector(), scratch);
                SignalRestorer.restore(p, wanted);
                SignalRestorer.queuePending(p, wanted);

                // pending first: the dump's injections would deliver the unblocked ones (see SignalRestorer)
                // and masks: the dump's step in a thread blocking SIGTRAP unblocks it (see SignalRestorer)
                List<List<QueuedSignal>> pending = new ArrayList<>();
                List<Long> masks = new ArrayList<>();
                for (int tid : tids) {
                    pending.add(queued(PeekSigInfo.peek(tracer, tid, false)));
                    masks.add(SignalMask.get(tracer, tid));
                }
                List<QueuedSignal> shared = queued(PeekSigInfo.peek(tracer, h, true));
                ProcessSignals got = SignalDumper.dump(tracer, husk.injector(), h, tids);

                List<SignalAction> actions = new ArrayList<>(wanted.actions());
                actions.add(SIGPIPE - 2, new SignalAction(SIGPIPE, SignalAction.SIG_DFL, 0, 0, 0));
                assertEquals(actions, got.actions());
                assertEquals(wanted.sharedPending(), shared);
                for (int i = 0; i < 4; i++) {
                    ThreadSignals want = wanted.threads().get(i);
                    ThreadSignals have = got.threads().get(i);
                    assertEquals("thread " + i + " mask", Long.toHexString(want.blocked()), Long.toHexString(masks.get(i)));
                    assertEquals("thread " + i + " altstack", want.altStack(), have.altStack());
                    assertEquals("thread " + i + " pending", want.pending(), pending.get(i));
                }
                assertTimer(wanted, got, IntervalTimer.ITIMER_REAL, 5_000_000L, 0);
                // CPU timers: getitimer may report a tick more than set (the kernel adds one), and
                // the injected syscalls use some CPU time
                assertTimer(wanted, got, IntervalTimer.ITIMER_VIRTUAL, 1_000_000L, 20_000);
                assertTimer(wanted, got, IntervalTimer.ITIMER_PROF, 1_000_000L, 20_000);
                System.out.println("restored into husk " + h + " " + tids + ": " + got.timers() + ", shared " + shared);
            } finally {
                for (int tid : tids.subList(1, tids.size())) {
                    Tracees.killAndReap(tracer, tid, false); // a leader is only reapable once its threads are
                }
            }
        }
    }

    @Test
    public void failuresNameProcessThreadSignalAndSyscall() throws Exception {
        Privileged.assume("root (ptrace)");
        try (Tracer tracer = Tracer.start("signal-restore-test");
             Husk husk = Husk.start(tracer, HuskBinary.path(), 5_000)) {
            int h = husk.pid();
            long scratch = husk.injector().mapScratch(h, RestoringProcess.SCRATCH_BYTES);
            RestoringProcess p = new RestoringProcess(tracer, h, List.of(h), husk.injector(), scratch);
            List<IntervalTimer> timers = List.of();
            ProcessSignals tooSmall = new ProcessSignals(h, List.of(), List.of(), timers,
                    List.of(new ThreadSignals(h, 0, List.of(), new AltStack(0x10000, 0, 64)))); // < MINSIGSTKSZ
            IOException e = assertThrows(IOException.class, () -> SignalRestorer.restore(p, tooSmall));
            assertTrue(e.getMessage(), e.getMessage().contains("process " + h + " thread " + h)
                    && e.getMessage().contains("sigaltstack") && e.getMessage().contains("ENOMEM"));

            QueuedSignal wrong = new QueuedSignal(SIGUSR1, SI_USER, siginfo(SIGHUP, SI_USER, 1, 0).siginfo()); // SIGHUP's
            ProcessSignals bad = new ProcessSignals(h, List.of(), List.of(wrong), timers,
                    List.of(new ThreadSignals(h, 0, List.of(), new AltStack(0, AltStack.SS_DISABLE, 0))));
            e = assertThrows(IOException.class, () -> SignalRestorer.queuePending(p, bad));
            assertTrue(e.getMessage(), e.getMessage().contains("process " + h + " thread " + h + ", signal 10 (SIGUSR1)"));
            System.out.println(e.getMessage());
        }
    }

    /**
     * The workload's state (main thread: SIGINT pending, SIGRTMIN+2 twice shared; an altstack; ITIMER_REAL)
     * and more, so that every thread has something: SIGHUP and SIGTRAP handlers; no saved SIGPIPE action;
     * thread 1 an altstack, SIGTRAP blocked and a blocked SIGUSR1 of its own; thread 2 an unblocked SIGTERM (it must stay
     * pending); thread 3 a blocked SIGSEGV with a fault siginfo; a shared SIGUSR1 from kill() the main
     * thread does not block; ITIMER_VIRTUAL and ITIMER_PROF armed.
     */
    private static ProcessSignals enrich(ProcessSignals s) {
        SignalAction usr1 = s.action(SIGUSR1).orElseThrow();
        List<SignalAction> actions = new ArrayList<>();
        for (SignalAction a : s.actions()) {
            if (a.signal() == SIGHUP || a.signal() == SIGTRAP) {
                actions.add(new SignalAction(a.signal(), usr1.handler() + 16, SignalAction.SA_SIGINFO
                        | SignalAction.SA_ONSTACK | SignalAction.SA_RESTORER, usr1.restorer(),
                        bit(SIGINT) | bit(SIGTERM) | bit(40)));
            } else if (a.signal() != SIGPIPE) {
                actions.add(a);
            }
        }
        List<ThreadSignals> t = new ArrayList<>(s.threads());
        ThreadSignals t1 = t.get(1);
        ThreadSignals t2 = t.get(2);
        ThreadSignals t3 = t.get(3);
        assertTrue(t1.blocks(SIGUSR1));
        assertFalse(t2.blocks(SIGTERM));
        t.set(1, new ThreadSignals(t1.tid(), t1.blocked() | bit(SIGTRAP), List.of(siginfo(SIGUSR1, SI_TKILL, 1234, 0)),
                new AltStack(0x7f1234560000L, 0, 64 * 1024)));
        t.set(2, new ThreadSignals(t2.tid(), t2.blocked(), List.of(siginfo(SIGTERM, SI_TKILL, 4321, 1000)), t2.altStack()));
        ByteBuffer fault = le(128).putInt(0, SIGSEGV).putInt(8, SEGV_MAPERR).putLong(16, 0xdead000L);
        t.set(3, new ThreadSignals(t3.tid(), t3.blocked() | bit(SIGSEGV), List.of(new QueuedSignal(SIGSEGV, SEGV_MAPERR,
                Base64.getEncoder().encodeToString(fault.array()))), t3.altStack()));
        List<QueuedSignal> shared = new ArrayList<>(s.sharedPending());
        shared.add(siginfo(SIGUSR1, SI_USER, 999, 0));
        List<IntervalTimer> timers = List.of(s.timer(IntervalTimer.ITIMER_REAL),
                new IntervalTimer(IntervalTimer.ITIMER_VIRTUAL, 7, 500, 30, 250),
                new IntervalTimer(IntervalTimer.ITIMER_PROF, 2, 0, 60, 0));
        return new ProcessSignals(s.pid(), actions, shared, timers, t);
    }

    /** Same interval; remaining value at most {@code lessBy} µs less and {@code moreBy} µs more than saved. */
    private static void assertTimer(ProcessSignals wanted, ProcessSignals got, int which, long lessBy, long moreBy) {
        IntervalTimer w = wanted.timer(which);
        IntervalTimer g = got.timer(which);
        assertEquals(w.intervalSec() + "." + w.intervalUsec(), g.intervalSec() + "." + g.intervalUsec());
        long diff = g.remainingMicros() - w.remainingMicros();
        assertTrue(g + " vs saved " + w, diff <= moreBy && diff >= -lessBy && g.armed());
    }

    /** A thread in the husk: injected clone3; the husk is traced with TRACECLONE, so the thread starts stopped. */
    private static int cloneThread(Tracer tracer, Husk husk, long scratch) throws IOException {
        ProcessMemory.write(husk.pid(), scratch, le(64).putLong(0, THREAD_FLAGS).array()); // clone_args v0, rest 0
        int tid = (int) husk.injector().call(husk.pid(), "clone3", Syscall.CLONE3, scratch, 64);
        int status = tracer.waitStop(tid, 5_000);
        assertTrue(WaitStatus.describe(status), WaitStatus.stopped(status));
        return tid;
    }

    private static QueuedSignal siginfo(int sig, int code, int pid, int uid) {
        ByteBuffer b = le(128).putInt(0, sig).putInt(8, code).putInt(16, pid).putInt(20, uid);
        return new QueuedSignal(sig, code, Base64.getEncoder().encodeToString(b.array()));
    }

    private static List<QueuedSignal> queued(List<byte[]> infos) {
        return infos.stream().map(i -> new QueuedSignal(PeekSigInfo.signo(i), PeekSigInfo.code(i),
                Base64.getEncoder().encodeToString(i))).toList();
    }

    private static long bit(int sig) {
        return 1L << (sig - 1);
    }

    private static ByteBuffer le(int size) {
        return ByteBuffer.allocate(size).order(ByteOrder.LITTLE_ENDIAN);
    }
}
