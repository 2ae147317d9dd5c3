package io.hotvirt.linux.ptrace;

import io.hotvirt.linux.proc.ProcStat;
import io.hotvirt.linux.proc.Procfs;
import io.hotvirt.linux.process.ChildReaper;
import io.hotvirt.linux.process.Signals;
import io.hotvirt.linux.testing.Children;
import io.hotvirt.linux.testing.KernelTestTimeout;
import io.hotvirt.linux.testing.Privileged;
import org.junit.Before;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertNotEquals;
import static org.junit.Assert.assertNotNull;
import static org.junit.Assert.assertThrows;
import static org.junit.Assert.assertTrue;

/** ptrace on a real child that spins in a shell loop; it must keep running after every test. */
public class TracerTest {

    /** Every test here traces processes: a hung tracee fails the test, not the build. */
    @Rule(order = KernelTestTimeout.ORDER)
    public final KernelTestTimeout timeout = KernelTestTimeout.seconds(60);

    @Rule
    public final Children children = new Children();
    @Rule
    public final TemporaryFolder tmp = new TemporaryFolder();

    @Before
    public void needsPtrace() {
        Privileged.assume("root (ptrace of any process)");
    }

    @Test
    public void seizeInterruptRegistersDetach() throws Exception {
        int pid = spinner();
        try (Tracer tracer = Tracer.start("test-tracer")) {
            tracer.seize(pid);
            tracer.interrupt(pid);
            int status = tracer.waitStop(pid);
            assertTrue(WaitStatus.describe(status), WaitStatus.eventStop(status));
            assertEquals('t', Procfs.stat(pid).orElseThrow().state());

            Registers regs = tracer.getRegisters(pid);
            assertNotEquals(0, regs.rip());
            assertNotEquals(0, regs.rsp());
            assertEquals("64-bit user code segment", 0x33, regs.cs());
            long[] array = regs.toArray();
            assertEquals(Registers.COUNT, array.length);
            assertEquals(regs, Registers.of(array));

            // a changed register reaches the kernel; the original goes back before resuming
            tracer.setRegisters(pid, regs.withRax(0x1234_5678L));
            assertEquals(0x1234_5678L, tracer.getRegisters(pid).rax());
            tracer.setRegisters(pid, regs);
            assertEquals(regs, tracer.getRegisters(pid));

            tracer.detach(pid);
            assertTrue(tracer.attached().isEmpty());
        }
        assertKeepsRunning(pid);
    }

    @Test
    public void closeDetachesStoppedAndRunningTracees() throws Exception {
        int stopped = spinner();
        int running = spinner();
        Tracer tracer = Tracer.start("test-tracer");
        tracer.seize(stopped);
        tracer.interrupt(stopped);
        tracer.waitStop(stopped, 3000);
        tracer.seize(running);
        assertEquals(2, tracer.attached().size());
        tracer.close();
        assertKeepsRunning(stopped);
        assertKeepsRunning(running);
        assertEquals(0, Procfs.status(running).orElseThrow().tracerPid());
        assertThrows(IOException.class, () -> tracer.seize(stopped));
    }

    @Test
    public void closeReturnsForAKilledMultiThreadedProcessAndLeavesItsExitToTheParent() throws Exception {
        int pid = children.spawn(threads().toString());
        Children.await("4 threads", 3000, () -> Procfs.tasks(pid).size() == 4);
        List<Integer> tids = Procfs.tasks(pid);
        Tracer tracer = Tracer.start("test-tracer");
        for (int tid : tids) {
            tracer.seize(tid);
        }
        int stopped = tids.get(tids.size() - 1); // one in a ptrace-stop, the others running
        tracer.interrupt(stopped);
        tracer.waitStop(stopped, 3000);
        Signals.kill(pid, Signals.SIGKILL);
        Children.await("the leader to die", 3000, () -> Procfs.stat(pid).map(s -> s.dead()).orElse(true));
        closeWithin(tracer, 3000);
        assertEquals(137, exitSeenByTheParent(pid));
    }

    @Test
    public void closeReturnsForAKilledProcessAndLeavesItsExitToTheParent() throws Exception {
        int running = spinner();
        int stopped = spinner();
        Tracer tracer = Tracer.start("test-tracer");
        tracer.seize(running);
        tracer.seize(stopped);
        tracer.interrupt(stopped);
        tracer.waitStop(stopped, 3000);
        Signals.kill(running, Signals.SIGKILL);
        Signals.kill(stopped, Signals.SIGKILL);
        Children.await("both to die", 3000, () -> !Children.alive(running) && !Children.alive(stopped));
        closeWithin(tracer, 3000);
        assertEquals(137, exitSeenByTheParent(running));
        assertEquals(137, exitSeenByTheParent(stopped));
    }

    @Test
    public void detachPassesOnASignalCaughtBeforeAnInjection() throws Exception {
        int pid = spinner();
        try (Tracer tracer = Tracer.start("test-tracer")) {
            tracer.seize(pid);
            Signals.kill(pid, 10); // SIGUSR1, fatal to sh without a trap
            int status = tracer.waitStop(pid, 3000);
            assertTrue(WaitStatus.describe(status), WaitStatus.signalDeliveryStop(status));
            assertEquals(10, WaitStatus.stopSignal(status));
            // the injection's syscall stops suppress SIGUSR1 for now
            assertEquals(pid, new SyscallInjector(tracer, pid).call(pid, "getpid", io.hotvirt.linux.jna.Syscall.GETPID));
            tracer.detach(pid);
        }
        int status = Children.waitExit(pid, 3000);
        assertTrue(WaitStatus.describe(status), WaitStatus.signaled(status));
        assertEquals(10, WaitStatus.termSignal(status));
    }

    @Test
    public void errorsNameTheThreadAndTheErrno() throws Exception {
        try (Tracer tracer = Tracer.start("test-tracer")) {
            IOException e = assertThrows(IOException.class, () -> tracer.seize(Integer.MAX_VALUE - 1));
            assertTrue(e.getMessage(), e.getMessage().contains("PTRACE_SEIZE") && e.getMessage().contains("ESRCH"));
            int pid = spinner();
            e = assertThrows(IOException.class, () -> tracer.getRegisters(pid));
            assertTrue(e.getMessage(), e.getMessage().contains(Integer.toString(pid)));
        }
    }

    @Test
    public void waitStatusDecoding() {
        assertTrue(WaitStatus.exited(3 << 8));
        assertEquals(3, WaitStatus.exitCode(3 << 8));
        assertTrue(WaitStatus.signaled(9));
        assertEquals(9, WaitStatus.termSignal(9));
        int interrupt = (128 << 16) | (5 << 8) | 0x7f;
        assertTrue(WaitStatus.stopped(interrupt) && WaitStatus.eventStop(interrupt));
        int sigusr1 = (10 << 8) | 0x7f;
        assertTrue(WaitStatus.signalDeliveryStop(sigusr1));
        assertEquals(10, WaitStatus.stopSignal(sigusr1));
    }

    private static void closeWithin(Tracer tracer, long millis) throws Exception {
        CompletableFuture<Void> closed = CompletableFuture.runAsync(tracer::close);
        closed.get(millis, TimeUnit.MILLISECONDS);
    }

    /** The exit status the real parent (this JVM, as hotvirt's ChildReaper does) gets: 128 + signal. */
    private static int exitSeenByTheParent(int pid) throws Exception {
        try (ChildReaper reaper = new ChildReaper("test-reaper")) {
            CompletableFuture<Integer> exit = new CompletableFuture<>();
            reaper.watch(pid, exit::complete);
            Integer status = exit.get(5, TimeUnit.SECONDS);
            assertNotNull("the exit status was taken from the parent", status);
            return status;
        }
    }

    /** A program whose main thread and 3 more threads spin or sleep forever. */
    private Path threads() throws IOException {
        Path src = tmp.getRoot().toPath().resolve("threads.c");
        Path exe = tmp.getRoot().toPath().resolve("threads");
        Files.writeString(src, """
                #include <pthread.h>
                #include <unistd.h>
                static void *spin(void *arg) { for (volatile unsigned long n = 0;; n++) ; return arg; }
                static void *sleeper(void *arg) { for (;;) pause(); return arg; }
                int main(void) {
                    pthread_t t;
                    pthread_create(&t, 0, spin, 0);
                    pthread_create(&t, 0, sleeper, 0);
                    pthread_create(&t, 0, spin, 0);
                    for (;;) pause();
                }
                """);
        children.run(tmp.getRoot().toPath().resolve("cc.log"), 60_000, "cc", "-O1", "-pthread", "-o", exe.toString(),
                src.toString());
        return exe;
    }

    /** A child burning CPU in a shell loop: its CPU time shows whether it runs. */
    private int spinner() throws IOException {
        int pid = children.spawn("sh", "-c", "while :; do :; done");
        Children.await("the loop to start", 3000, () -> Procfs.stat(pid).map(s -> s.state() == 'R').orElse(false));
        return pid;
    }

    private static void assertKeepsRunning(int pid) {
        ProcStat before = Procfs.stat(pid).orElseThrow();
        Children.await("pid " + pid + " to use CPU time", 3000, () -> {
            ProcStat now = Procfs.stat(pid).orElseThrow();
            return now.state() != 't' && now.utimeTicks() + now.stimeTicks() > before.utimeTicks() + before.stimeTicks();
        });
    }
}
