package io.hotvirt.linux.process;

import io.hotvirt.linux.proc.Procfs;
import io.hotvirt.linux.testing.Children;
import org.junit.Rule;
import org.junit.Test;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertNull;
import static org.junit.Assert.assertTrue;

public class ChildReaperTest {

    @Rule
    public final Children children = new Children();

    @Test
    public void reportsExitCodesAndSignalsAndReaps() throws Exception {
        try (ChildReaper reaper = new ChildReaper("test-reaper")) {
            int three = children.spawn("sh", "-c", "exit 3");
            int killed = children.spawn("sleep", "100");
            CompletableFuture<Integer> exit3 = new CompletableFuture<>();
            CompletableFuture<Integer> exit137 = new CompletableFuture<>();
            reaper.watch(three, exit3::complete);
            reaper.watch(killed, exit137::complete);
            assertEquals(3, (int) exit3.get(5, TimeUnit.SECONDS));
            Signals.kill(killed, Signals.SIGKILL);
            assertEquals(137, (int) exit137.get(5, TimeUnit.SECONDS));
            assertTrue("reaped, not a zombie", Procfs.stat(three).isEmpty() && Procfs.stat(killed).isEmpty());
        }
    }

    @Test
    public void aProcessThatIsNotOurChildIsReportedAsUnknown() throws Exception {
        try (ChildReaper reaper = new ChildReaper("test-reaper")) {
            int sh = children.spawn("sh", "-c", "sleep 0.3 & wait");
            Children.await("the grandchild", 3000, () -> Procfs.children(sh).size() == 1);
            int grandchild = Procfs.children(sh).iterator().next();
            CompletableFuture<Integer> exit = new CompletableFuture<>();
            reaper.watch(grandchild, exit::complete);
            assertNull(exit.get(5, TimeUnit.SECONDS));
        }
    }

    @Test
    public void aVanishedPidIsReportedAtOnce() throws Exception {
        try (ChildReaper reaper = new ChildReaper("test-reaper")) {
            CompletableFuture<Integer> exit = new CompletableFuture<>();
            reaper.watch(Integer.MAX_VALUE - 1, exit::complete);
            assertNull(exit.get(5, TimeUnit.SECONDS));
        }
    }

    @Test
    public void unwatchAndCloseLeaveProcessesAlone() throws Exception {
        int pid = children.spawn("sleep", "100");
        AtomicBoolean called = new AtomicBoolean();
        ChildReaper reaper = new ChildReaper("test-reaper");
        reaper.watch(pid, s -> called.set(true));
        reaper.unwatch(pid);
        int other = children.spawn("sleep", "100");
        reaper.watch(other, s -> called.set(true));
        long start = System.nanoTime();
        reaper.close();
        assertTrue("close is prompt", System.nanoTime() - start < TimeUnit.SECONDS.toNanos(1));
        Signals.kill(pid, Signals.SIGKILL);
        Signals.kill(other, Signals.SIGKILL);
        Children.waitExit(pid, 3000); // still our child to reap: the reaper did not take it
        Children.waitExit(other, 3000);
        assertFalse(called.get());
    }

    @Test
    public void statusConversion() {
        assertEquals(0, (int) ChildReaper.shellStatus(1, 0));
        assertEquals(143, (int) ChildReaper.shellStatus(2, 15));
        assertEquals(139, (int) ChildReaper.shellStatus(3, 11));
        assertNull(ChildReaper.shellStatus(5, 19));
    }
}
