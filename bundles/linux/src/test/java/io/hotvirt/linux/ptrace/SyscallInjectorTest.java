package io.hotvirt.linux.ptrace;

import io.hotvirt.linux.jna.Syscall;
import io.hotvirt.linux.proc.ProcStat;
import io.hotvirt.linux.proc.Procfs;
import io.hotvirt.linux.testing.Children;
import io.hotvirt.linux.testing.KernelTestTimeout;
import io.hotvirt.linux.testing.Privileged;
import org.junit.Before;
import org.junit.Rule;
import org.junit.Test;

import java.io.IOException;
import java.util.List;

import static org.junit.Assert.assertArrayEquals;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertNotEquals;
import static org.junit.Assert.assertThrows;
import static org.junit.Assert.assertTrue;

/** Syscall injection, xstate and PEEKSIGINFO on real children; each must keep running unharmed. */
public class SyscallInjectorTest {

    /** Every test here traces processes: a hung tracee fails the test, not the build. */
    @Rule(order = KernelTestTimeout.ORDER)
    public final KernelTestTimeout timeout = KernelTestTimeout.seconds(60);

    @Rule
    public final Children children = new Children();

    @Before
    public void needsPtrace() {
        Privileged.assume("root (ptrace of any process)");
    }

    @Test
    public void injectsIntoAThreadStoppedInAnInterruptedSyscall() throws Exception {
        int pid = children.spawn("sleep", "100");
        Children.await("sleep to block in nanosleep", 3000,
                () -> Procfs.stat(pid).map(s -> s.state() == 'S').orElse(false));
        try (Tracer tracer = Tracer.start("test-injector")) {
            stop(tracer, pid);
            Registers before = tracer.getRegisters(pid);
            assertTrue("stopped in a syscall: " + before, before.origRax() >= 0);
            SyscallInjector injector = new SyscallInjector(tracer, pid);
            assertEquals(pid, injector.call(pid, "getpid", Syscall.GETPID));
            assertEquals(pid, injector.call(pid, "gettid", Syscall.GETTID));
            assertEquals("registers restored exactly", before, tracer.getRegisters(pid));

            IOException e = assertThrows(IOException.class, () -> injector.call(pid, "close", Syscall.CLOSE, 12345));
            assertTrue(e.getMessage(), e.getMessage().contains("close") && e.getMessage().contains("EBADF"));
            assertEquals(before, tracer.getRegisters(pid));

            long scratch = injector.mapScratch(pid, 4096);
            ProcessMemory.write(pid, scratch, new byte[] {1, 2, 3});
            assertArrayEquals(new byte[] {1, 2, 3}, ProcessMemory.read(pid, scratch, 3));
            injector.unmap(pid, scratch, 4096);
            assertTrue(Procfs.maps(pid).stream().noneMatch(m -> m.start() <= scratch && scratch < m.end()));
            assertEquals(before, tracer.getRegisters(pid));
        }
        // nanosleep was restarted, not cut short: sleep 100 is still sleeping, untraced
        Children.sleep(300);
        assertTrue(Children.alive(pid));
        assertEquals(0, Procfs.status(pid).orElseThrow().tracerPid());
        assertNotEquals('t', Procfs.stat(pid).orElseThrow().state());
    }

    @Test
    public void injectsIntoARunningLoopAndPutsTheSiteBack() throws Exception {
        int pid = children.spawn("sh", "-c", "while :; do :; done");
        Children.await("the loop to start", 3000, () -> Procfs.stat(pid).map(s -> s.state() == 'R').orElse(false));
        try (Tracer tracer = Tracer.start("test-injector")) {
            stop(tracer, pid);
            Registers before = tracer.getRegisters(pid);
            InjectionSite site = InjectionSite.find(pid);
            byte[] slack = ProcessMemory.read(pid, site.address(), InjectionSite.SIZE);
            SyscallInjector injector = new SyscallInjector(tracer, pid);
            for (int i = 0; i < 50; i++) {
                assertEquals(pid, injector.call(pid, "getpid", Syscall.GETPID));
                assertArrayEquals("the slack's own bytes are back after each call", slack,
                        ProcessMemory.read(pid, site.address(), InjectionSite.SIZE));
            }
            assertEquals(before, tracer.getRegisters(pid));
        }
        assertRunsOn(pid);
    }

    /**
     * A tracer that goes away in the middle of an injection (here it detaches, as the kernel does
     * for a dying tracer) leaves the thread set up for the injected syscall: the site's tail must
     * lead it back at every point — a loop loops on, and a sleep sleeps on (its interrupted
     * clock_nanosleep restarted through restart_syscall) and ends normally after its time.
     */
    @Test
    public void aThreadLeftInTheMiddleOfAnInjectionFindsItsWayBack() throws Exception {
        for (int point = 0; point < 3; point++) {
            int loop = children.spawn("sh", "-c", "while :; do :; done");
            int sleeper = children.spawn("sleep", "1.5");
            Children.await("the loop to start", 3000, () -> Procfs.stat(loop).map(s -> s.state() == 'R').orElse(false));
            Children.await("sleep to block", 3000, () -> Procfs.stat(sleeper).map(s -> s.state() == 'S').orElse(false));
            long started = System.nanoTime();
            for (int pid : new int[] {loop, sleeper}) {
                try (Tracer tracer = Tracer.start("test-injector")) {
                    stop(tracer, pid);
                    Registers saved = tracer.getRegisters(pid);
                    InjectionSite site = InjectionSite.find(pid);
                    site.prepare(saved, SignalMask.get(tracer, pid));
                    tracer.setRegisters(pid, saved.forSyscall(Syscall.GETPID).withRip(site.address()).withOrigRax(-1));
                    for (int stops = 0; stops < point; stops++) { // 0: never resumed, 1: at entry, 2: at exit
                        tracer.resumeToSyscall(pid, 0);
                        assertTrue(WaitStatus.stopped(tracer.waitStop(pid, 3000)));
                    }
                } // the tracer lets go here, its tracee still set up for getpid
            }
            assertRunsOn(loop);
            assertTrue("sleep sleeps on", Children.alive(sleeper));
            assertEquals("sleep exited normally", 0, Children.waitExit(sleeper, 5000));
            assertTrue("sleep slept its time", System.nanoTime() - started > 1_400_000_000L);
        }
    }

    @Test
    public void aSignalArrivingDuringInjectionIsDeliveredAfterwards() throws Exception {
        java.nio.file.Path log = java.nio.file.Files.createTempFile("hotvirt-inject", ".log");
        try {
            int pid = children.spawnLogged(log, "sh", "-c", "trap 'echo GOT-USR1' USR1; echo READY; while :; do :; done");
            // not just running: a USR1 that came before the trap was set would kill the shell
            Children.await("the trap to be set", 3000, () -> Children.read(log).contains("READY"));
            try (Tracer tracer = Tracer.start("test-injector")) {
                stop(tracer, pid);
                io.hotvirt.linux.jna.LibC.INSTANCE.kill(pid, 10); // pending while the thread is stopped
                SyscallInjector injector = new SyscallInjector(tracer, pid);
                Registers before = tracer.getRegisters(pid);
                long mask = SignalMask.get(tracer, pid);
                assertEquals(pid, injector.call(pid, "getpid", Syscall.GETPID));
                assertEquals(before, tracer.getRegisters(pid));
                assertEquals("the mask is the thread's own again", mask, SignalMask.get(tracer, pid));
                // still pending with the siginfo kill() gave it (a timer's si_value must survive so)
                List<byte[]> pending = PeekSigInfo.peek(tracer, pid, true);
                assertEquals(1, pending.size());
                assertEquals(10, PeekSigInfo.signo(pending.get(0)));
                assertEquals("SI_USER", 0, PeekSigInfo.code(pending.get(0)));
                assertEquals("si_pid", ProcessHandle.current().pid(),
                        java.nio.ByteBuffer.wrap(pending.get(0)).order(java.nio.ByteOrder.LITTLE_ENDIAN).getInt(16));
            }
            try {
                Children.await("the shell's USR1 trap", 3000, () -> Children.read(log).contains("GOT-USR1"));
            } catch (AssertionError e) {
                throw new AssertionError(e.getMessage() + "; status: " + java.nio.file.Files.readString(
                        java.nio.file.Path.of("/proc/" + pid + "/status")).lines()
                        .filter(l -> l.matches("(State|SigPnd|ShdPnd|SigBlk|SigCgt|TracerPid).*"))
                        .collect(java.util.stream.Collectors.joining(", ")), e);
            }
            assertTrue(Children.alive(pid));
        } finally {
            java.nio.file.Files.deleteIfExists(log);
        }
    }

    @Test
    public void xstateRoundTrip() throws Exception {
        int pid = children.spawn("sleep", "100");
        try (Tracer tracer = Tracer.start("test-xstate")) {
            stop(tracer, pid);
            XState x = XState.get(tracer, pid);
            assertTrue(x.toString(), x.size() >= XState.FXSAVE_SIZE);
            if (x.note() == XState.NT_X86_XSTATE) {
                assertTrue(x.toString(), x.size() >= 576); // legacy area + XSAVE header at least
            }
            XState.set(tracer, pid, x);
            assertEquals(x, XState.get(tracer, pid));
            // nothing queued for a plain sleep
            assertEquals(0, PeekSigInfo.peek(tracer, pid, false).size());
            assertEquals(0, PeekSigInfo.peek(tracer, pid, true).size());
        }
        assertTrue(Children.alive(pid));
    }

    private static void assertRunsOn(int pid) {
        ProcStat first = Procfs.stat(pid).orElseThrow();
        Children.await("the loop to go on", 3000, () -> {
            ProcStat now = Procfs.stat(pid).orElseThrow();
            return now.state() != 't' && now.utimeTicks() + now.stimeTicks() > first.utimeTicks() + first.stimeTicks();
        });
        assertEquals(0, Procfs.status(pid).orElseThrow().tracerPid());
    }

    private static void stop(Tracer tracer, int tid) throws IOException {
        tracer.seize(tid);
        tracer.interrupt(tid);
        int status = tracer.waitStop(tid, 3000);
        assertTrue(WaitStatus.describe(status), WaitStatus.eventStop(status));
    }
}
