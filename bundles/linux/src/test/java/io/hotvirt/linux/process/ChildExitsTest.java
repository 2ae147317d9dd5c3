package io.hotvirt.linux.process;

import io.hotvirt.linux.proc.ProcStat;
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

public class ChildExitsTest {

    @Rule
    public final Children children = new Children();

    @Test(timeout = 30_000)
    public void reapsWhileDetachedAndKeepsTheStatusForTheNextWatch() throws Exception {
        try (ChildExits exits = new ChildExits()) {
            int pid = children.spawn("sleep", "100");
            long ticks = Procfs.stat(pid).orElseThrow().startTimeTicks();
            AtomicBoolean detachedListenerCalled = new AtomicBoolean();
            exits.watch(pid, ticks, s -> detachedListenerCalled.set(true));
            exits.detach(pid); // as io.hotvirt.core does when it stops
            Signals.kill(pid, Signals.SIGKILL);
            Children.await("the killed child to be reaped, not left a zombie", 5000, () -> Procfs.stat(pid).isEmpty());

            CompletableFuture<Integer> status = new CompletableFuture<>();
            exits.watch(pid, ticks, status::complete); // as io.hotvirt.core does when it starts again
            assertEquals(137, (int) status.get(5, TimeUnit.SECONDS));
            assertFalse(detachedListenerCalled.get());
        }
    }

    @Test(timeout = 30_000)
    public void aZombieLeftByAnEarlierReaperIsReapedWithItsStatus() throws Exception {
        int pid = children.spawn("sh", "-c", "exit 7");
        Children.await("the child to exit", 5000, () -> Procfs.stat(pid).map(ProcStat::dead).orElse(false));
        long ticks = Procfs.stat(pid).orElseThrow().startTimeTicks();
        try (ChildExits exits = new ChildExits()) {
            CompletableFuture<Integer> status = new CompletableFuture<>();
            exits.watch(pid, ticks, status::complete);
            assertEquals(7, (int) status.get(5, TimeUnit.SECONDS));
            assertEquals("reaped", java.util.Optional.empty(), Procfs.stat(pid));
        }
    }

    @Test(timeout = 30_000)
    public void anotherProcessUnderTheSamePidIsNotTakenForIt() throws Exception {
        int pid = children.spawn("sleep", "100");
        long ticks = Procfs.stat(pid).orElseThrow().startTimeTicks();
        try (ChildExits exits = new ChildExits()) {
            CompletableFuture<Integer> status = new CompletableFuture<>();
            exits.watch(pid, ticks - 1, status::complete); // the record of an older process with this PID
            assertNull(status.get(5, TimeUnit.SECONDS));
            assertFalse("left alone", Procfs.stat(pid).orElseThrow().dead());
        }
    }
}
