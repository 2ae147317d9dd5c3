package io.hotvirt.checkpoint.restore;

import io.hotvirt.checkpoint.signals.PosixTimer;
import io.hotvirt.checkpoint.signals.ProcessSignals;
import io.hotvirt.checkpoint.signals.SignalDumper;
import io.hotvirt.linux.jna.Syscall;
import io.hotvirt.linux.ptrace.Tracer;
import io.hotvirt.linux.testing.KernelTestTimeout;
import io.hotvirt.linux.testing.Privileged;
import org.junit.Rule;
import org.junit.Test;

import java.io.IOException;
import java.util.Comparator;
import java.util.List;

import static io.hotvirt.linux.jna.LibC.PR_TIMER_CREATE_RESTORE_IDS;
import static io.hotvirt.linux.process.Signals.SIGRTMIN;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertThrows;
import static org.junit.Assert.assertTrue;

/** POSIX timers made in a husk with chosen IDs, read back with the signal dumper; failures say which timer. */
public class PosixTimerRestorerKernelTest {

    /** Every test here traces processes: a hung tracee fails the test, not the build. */
    @Rule(order = KernelTestTimeout.ORDER)
    public final KernelTestTimeout timeout = KernelTestTimeout.seconds(60);

    private static final int CLOCK_REALTIME = 0;
    private static final int CLOCK_MONOTONIC = 1;
    private static final int GET = 2;

    @Test
    public void timersComeBackWithTheirIdsAndTimes() throws Exception {
        Privileged.assume("root (ptrace)");
        try (Tracer tracer = Tracer.start("posix-timer-test");
             Husk husk = Husk.start(tracer, HuskBinary.path(), 5_000)) {
            int h = husk.pid();
            long scratch = husk.injector().mapScratch(h, RestoringProcess.SCRATCH_BYTES);
            RestoringProcess p = new RestoringProcess(tracer, h, List.of(h), husk.injector(), scratch);
            List<PosixTimer> saved = List.of(
                    new PosixTimer(7, CLOCK_REALTIME, 0, 0, PosixTimer.SIGEV_NONE, 0, 500_000_000_000L, 0),
                    new PosixTimer(3, CLOCK_MONOTONIC, SIGRTMIN, 0x1234_5678_9abcL,
                            PosixTimer.SIGEV_SIGNAL | PosixTimer.SIGEV_THREAD_ID, h, 400_000_000_000L, 60_000_000_000L),
                    new PosixTimer(1000, CLOCK_MONOTONIC, SIGRTMIN + 1, 5, PosixTimer.SIGEV_SIGNAL, 0, 0, 0));
            PosixTimerRestorer.restore(p, signals(h, saved));
            assertEquals("PR_TIMER_CREATE_RESTORE_IDS left off", 0, prctlGet(p));

            List<PosixTimer> got = SignalDumper.dump(tracer, husk.injector(), h, List.of(h)).posixTimers().stream()
                    .sorted(Comparator.comparingInt(t -> -t.id())).toList();
            assertEquals(3, got.size());
            for (int i = 0; i < 3; i++) {
                PosixTimer want = saved.get(i == 0 ? 2 : i == 1 ? 0 : 1);
                PosixTimer have = got.get(i);
                assertEquals(want.withTimes(0, 0), have.withTimes(0, 0));
                assertEquals(want.intervalNanos(), have.intervalNanos());
                assertTrue(have + " vs " + want, have.valueNanos() <= want.valueNanos()
                        && have.valueNanos() > want.valueNanos() - 5_000_000_000L);
            }
        }
    }

    @Test
    public void failuresNameTheProcessAndTimer() throws Exception {
        Privileged.assume("root (ptrace)");
        try (Tracer tracer = Tracer.start("posix-timer-test");
             Husk husk = Husk.start(tracer, HuskBinary.path(), 5_000)) {
            int h = husk.pid();
            long scratch = husk.injector().mapScratch(h, RestoringProcess.SCRATCH_BYTES);
            RestoringProcess p = new RestoringProcess(tracer, h, List.of(h), husk.injector(), scratch);
            PosixTimer none = new PosixTimer(9, CLOCK_MONOTONIC, 0, 0, PosixTimer.SIGEV_NONE, 0, 1_000_000_000L, 0);

            IOException taken = assertThrows(IOException.class, () -> PosixTimerRestorer.restore(p, signals(h,
                    List.of(none, none))));
            assertTrue(taken.getMessage(), taken.getMessage().contains("POSIX timer ID 9")
                    && taken.getMessage().contains("process " + h) && taken.getMessage().contains("EBUSY"));
            assertEquals("PR_TIMER_CREATE_RESTORE_IDS left off after a failure", 0, prctlGet(p));

            PosixTimer toGone = new PosixTimer(4, CLOCK_MONOTONIC, SIGRTMIN, 0,
                    PosixTimer.SIGEV_SIGNAL | PosixTimer.SIGEV_THREAD_ID, h + 100_000, 1_000_000_000L, 0);
            IOException gone = assertThrows(IOException.class, () -> PosixTimerRestorer.restore(p, signals(h,
                    List.of(toGone))));
            assertTrue(gone.getMessage(), gone.getMessage().contains("POSIX timer ID 4")
                    && gone.getMessage().contains("thread " + (h + 100_000)));
        }
    }

    private static ProcessSignals signals(int pid, List<PosixTimer> timers) {
        return new ProcessSignals(pid, List.of(), List.of(), List.of(), List.of(), timers);
    }

    private static long prctlGet(RestoringProcess p) throws IOException {
        return p.call("prctl(PR_TIMER_CREATE_RESTORE_IDS, GET)", Syscall.PRCTL, PR_TIMER_CREATE_RESTORE_IDS, GET, 0, 0,
                0);
    }
}
