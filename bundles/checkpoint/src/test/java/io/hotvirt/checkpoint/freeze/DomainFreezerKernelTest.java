package io.hotvirt.checkpoint.freeze;

import com.google.gson.Gson;
import io.hotvirt.checkpoint.cpu.ThreadCpu;
import io.hotvirt.checkpoint.signals.AltStack;
import io.hotvirt.checkpoint.signals.IntervalTimer;
import io.hotvirt.checkpoint.signals.ProcessSignals;
import io.hotvirt.checkpoint.signals.QueuedSignal;
import io.hotvirt.checkpoint.signals.SignalAction;
import io.hotvirt.checkpoint.signals.SignalDumper;
import io.hotvirt.checkpoint.signals.ThreadSignals;
import io.hotvirt.checkpoint.testing.CWorkload;
import io.hotvirt.linux.testing.KernelTestTimeout;
import io.hotvirt.linux.testing.Privileged;
import io.hotvirt.linux.cgroup.Cgroups;
import io.hotvirt.linux.cgroup.DomainCgroup;
import io.hotvirt.linux.jna.LibC;
import io.hotvirt.linux.jna.Syscall;
import io.hotvirt.linux.proc.Procfs;
import io.hotvirt.linux.process.SpawnRequest;
import io.hotvirt.linux.process.Spawner;
import io.hotvirt.linux.ptrace.XState;
import io.hotvirt.linux.testing.Children;
import org.junit.After;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Set;
import java.util.UUID;

import static io.hotvirt.checkpoint.testing.CWorkload.assertReleased;
import static io.hotvirt.linux.process.Signals.SIGCONT;
import static io.hotvirt.linux.process.Signals.SIGINT;
import static io.hotvirt.linux.process.Signals.SIGSTOP;
import static io.hotvirt.linux.process.Signals.SIGUSR1;
import static io.hotvirt.linux.process.Signals.SIGUSR2;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertNotEquals;
import static org.junit.Assert.assertThrows;
import static org.junit.Assert.assertTrue;

/** The freezer, register and signal dumps on the real kernel, against the self-checking signals.c workload. */
public class DomainFreezerKernelTest {

    /** Every test here traces processes: a hung tracee fails the test, not the build. */
    @Rule(order = KernelTestTimeout.ORDER)
    public final KernelTestTimeout timeout = KernelTestTimeout.seconds(60);

    @Rule
    public final TemporaryFolder tmp = new TemporaryFolder();

    private final List<AutoCloseable> cleanup = new ArrayList<>();
    private DomainCgroup cgroup;

    @After
    public void cleanUp() throws Exception {
        CWorkload.closeAll(cleanup, cgroup);
    }

    /**
     * A process stopped by job control between the freezer's look for stopped threads and the cgroup
     * freeze: seizing its frozen threads would wait for good, were the cgroup not thawed for it.
     * Released, it is still stopped, and SIGCONT wakes it.
     */
    @Test(timeout = 30_000)
    public void aProcessStoppedJustBeforeTheFreezeDoesNotHangItAndStaysStopped() throws Exception {
        DomainCgroup cg = testCgroup();
        SignalsWorkload w = workload(cg.procsFiles());
        List<Integer> tids = Procfs.tasks(w.pid);
        try (DomainFreezer f = DomainFreezer.freeze(cg, null, tid -> { }, () -> {
            LibC.INSTANCE.kill(w.pid, SIGSTOP);
            long deadline = System.currentTimeMillis() + 5000;
            while (tids.stream().anyMatch(t -> Procfs.taskStat(w.pid, t).orElseThrow().state() != 'T')
                    && System.currentTimeMillis() < deadline) {
                Thread.onSpinWait();
            }
        })) {
            assertEquals(Set.copyOf(tids), f.allThreads());
            assertEquals(java.util.Map.of(w.pid, SIGSTOP), f.stopSignals());
            assertFalse(cg.frozen());
        }
        Children.sleep(100);
        for (int tid : tids) {
            assertEquals("thread " + tid + " stopped, untraced", 'T', Procfs.taskStat(w.pid, tid).orElseThrow().state());
            assertEquals(0, Procfs.taskStatus(w.pid, tid).orElseThrow().tracerPid());
        }
        LibC.INSTANCE.kill(w.pid, SIGCONT);
        assertEquals("PASS", w.selfCheck(5000));
        assertReleased(w.pid);
    }

    @Test
    public void freezesEveryThreadAndReadsRegistersAndSignals() throws Exception {
        DomainCgroup cg = testCgroup();
        SignalsWorkload w = workload(cg.procsFiles());
        List<Integer> tids = Procfs.tasks(w.pid);
        assertEquals(4, tids.size());

        ProcessSignals signals;
        List<ThreadCpu> cpus = new ArrayList<>();
        long frozenNanos;
        try (DomainFreezer f = DomainFreezer.freeze(cg)) {
            assertEquals(Set.of(w.pid), f.threads().keySet());
            assertEquals(Set.copyOf(tids), f.tracer().attached());
            assertEquals(Set.copyOf(tids), f.allThreads());
            assertFalse("the cgroup is thawed, the threads stay in ptrace-stop", cg.frozen());
            for (int tid : tids) {
                assertEquals('t', Procfs.taskStat(w.pid, tid).orElseThrow().state());
            }

            for (int tid : tids) {
                ThreadCpu cpu = ThreadCpu.read(f.tracer(), tid);
                assertEquals(0x33, cpu.registers().cs());
                assertNotEquals(0, cpu.registers().rip());
                assertNotEquals("glibc's TLS pointer", 0, cpu.fsBase());
                assertTrue(cpu.xstate().toString(), cpu.xstateBytes().length >= XState.FXSAVE_SIZE);
                cpus.add(cpu);
            }
            // every thread can be injected into, the spinning one (not in a syscall) too
            for (int tid : tids) {
                assertEquals(tid, f.injector(w.pid).call(tid, "gettid", Syscall.GETTID));
            }
            for (ThreadCpu cpu : cpus) {
                assertEquals("registers restored after injection", cpu.registers(), f.tracer().getRegisters(cpu.tid()));
                assertEquals(cpu.xstate(), XState.get(f.tracer(), cpu.tid()));
            }

            signals = SignalDumper.dump(f.tracer(), f.injector(w.pid), w.pid, f.threads().get(w.pid));
            for (ThreadCpu cpu : cpus) {
                assertEquals(cpu.registers(), f.tracer().getRegisters(cpu.tid()));
            }
            assertTrue(f.frozenNanos() > 0 && f.cgroupFrozenNanos() > 0 && f.cgroupFrozenNanos() <= f.frozenNanos());
            f.close();
            frozenNanos = f.frozenNanos();
        }
        assertTrue(frozenNanos > 0);

        // dispositions
        assertEquals(62, signals.actions().size());
        SignalAction usr1 = signals.action(SIGUSR1).orElseThrow();
        assertEquals(Long.toHexString(w.handler), Long.toHexString(usr1.handler()));
        assertEquals(SignalAction.SA_RESTART | SignalAction.SA_SIGINFO,
                usr1.flags() & (SignalAction.SA_RESTART | SignalAction.SA_SIGINFO));
        assertTrue(signals.action(SIGUSR2).orElseThrow().isIgnored());
        assertTrue(signals.action(SIGINT).orElseThrow().isDefault());
        assertTrue(signals.action(9).isEmpty() && signals.action(19).isEmpty());
        // masks and pending signals
        ThreadSignals main = signals.thread(w.pid).orElseThrow();
        for (ThreadSignals t : signals.threads()) {
            assertTrue("thread " + t.tid() + " blocks SIGINT", t.blocks(SIGINT));
            assertTrue(t.blocks(w.sigrt));
            assertEquals(t.tid() != w.pid, t.blocks(SIGUSR1));
            assertEquals(t.tid() == w.pid ? 1 : 0, t.pending().size());
        }
        assertEquals(SIGINT, main.pending().get(0).signo());
        assertEquals(List.of(w.sigrt, w.sigrt), signals.sharedPending().stream().map(QueuedSignal::signo).toList());
        List<Integer> values = new ArrayList<>();
        for (QueuedSignal q : signals.sharedPending()) {
            assertEquals("SI_QUEUE", -1, q.code());
            // siginfo _rt: si_pid at 16, si_uid at 20, si_value at 24
            values.add(ByteBuffer.wrap(Base64.getDecoder().decode(q.siginfo())).order(ByteOrder.LITTLE_ENDIAN).getInt(24));
        }
        assertEquals(List.of(42, 43), values);
        // sigaltstack: the main thread's, none on the others
        assertEquals(new AltStack(w.altStack, 0, w.altStackSize), main.altStack());
        for (ThreadSignals t : signals.threads()) {
            if (t.tid() != w.pid) {
                assertTrue(t.altStack().toString(), t.altStack().disabled());
            }
        }
        // timers
        IntervalTimer real = signals.timer(IntervalTimer.ITIMER_REAL);
        assertEquals(100, real.intervalSec());
        assertTrue(real.toString(), real.remainingMicros() > 90_000_000L && real.remainingMicros() <= 100_000_000L);
        assertFalse(signals.timer(IntervalTimer.ITIMER_VIRTUAL).armed());
        assertFalse(signals.timer(IntervalTimer.ITIMER_PROF).armed());

        // JSON round trip
        Gson gson = new Gson();
        assertEquals(signals, gson.fromJson(gson.toJson(signals), ProcessSignals.class));
        assertEquals(cpus.get(0), gson.fromJson(gson.toJson(cpus.get(0)), ThreadCpu.class));

        assertReleased(w.pid);
        assertEquals("PASS", w.selfCheck(5000));
        // the scratch page is gone again
        assertTrue(Procfs.maps(w.pid).size() > 0);
    }

    @Test
    public void aProcessExitingMidWayReleasesTheRest() throws Exception {
        DomainCgroup cg = testCgroup();
        SignalsWorkload w = workload(cg.procsFiles());
        Children others = new Children();
        cleanup.add(others::killAll); // before the cgroup is removed: it must be empty by then
        int victim = others.spawn(new SpawnRequest(List.of("sleep", "100"), null, null, cg.procsFiles()));
        IOException e = assertThrows(IOException.class, () -> DomainFreezer.freeze(cg, null, tid -> {
            if (tid == victim) {
                LibC.INSTANCE.kill(victim, 9);
            }
        }));
        assertTrue(e.getMessage(), e.getMessage().contains("thread " + victim) && e.getMessage().contains("killed"));
        assertFalse(cg.frozen());
        assertReleased(w.pid);
        assertEquals("PASS", w.selfCheck(5000));
    }

    @Test
    public void aDeadProcessIsAClearErrorAndNothingStaysStopped() throws Exception {
        Privileged.assume("root (ptrace of any process)");
        SignalsWorkload w = workload(List.of());
        int dead = Spawner.spawn(new SpawnRequest(List.of("true"), null, null, List.of()));
        Children.waitExit(dead, 5000); // reaped: no process has its PID
        IOException e = assertThrows(IOException.class, () -> DomainFreezer.freezeProcesses(List.of(w.pid, dead)));
        assertTrue(e.getMessage(), e.getMessage().contains("process " + dead + " does not exist"));
        assertReleased(w.pid);
        assertEquals("PASS", w.selfCheck(5000));

        // and without a cgroup, a live process freezes and thaws fine
        try (DomainFreezer f = DomainFreezer.freezeProcesses(List.of(w.pid))) {
            assertEquals(4, f.allThreads().size());
        }
        assertReleased(w.pid);
        assertEquals("PASS", w.selfCheck(5000));
    }

    private DomainCgroup testCgroup() throws IOException {
        Privileged.assume("root (cgroups and ptrace)");
        Cgroups cgroups;
        try {
            cgroups = Cgroups.detect();
        } catch (IOException e) {
            Privileged.assume("a cgroup filesystem (" + e.getMessage() + ")", false);
            return null;
        }
        cgroup = cgroups.create("hotvirt-frztest-" + UUID.randomUUID().toString().substring(0, 8));
        return cgroup;
    }

    private SignalsWorkload workload(List<java.nio.file.Path> procs) throws Exception {
        SignalsWorkload w = SignalsWorkload.start(procs, tmp.getRoot().toPath());
        cleanup.add(w);
        return w;
    }
}
