package io.hotvirt.linux.ptrace;

import io.hotvirt.linux.proc.ProcStat;
import io.hotvirt.linux.proc.Procfs;
import io.hotvirt.linux.testing.Children;
import io.hotvirt.linux.testing.Privileged;
import org.junit.Before;
import org.junit.Rule;
import org.junit.Test;

import java.io.IOException;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertNotEquals;
import static org.junit.Assert.assertThrows;
import static org.junit.Assert.assertTrue;

/** ptrace on a real child that spins in a shell loop; it must keep running after every test. */
public class TracerTest {

    @Rule
    public final Children children = new Children();

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
