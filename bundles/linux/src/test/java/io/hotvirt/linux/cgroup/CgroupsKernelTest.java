package io.hotvirt.linux.cgroup;

import io.hotvirt.linux.proc.CgroupEntry;
import io.hotvirt.linux.proc.Procfs;
import io.hotvirt.linux.process.ChildReaper;
import io.hotvirt.linux.process.Signals;
import io.hotvirt.linux.testing.Children;
import io.hotvirt.linux.testing.Privileged;
import io.hotvirt.linux.testing.TestCgroup;
import org.junit.After;
import org.junit.Before;
import org.junit.Rule;
import org.junit.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertThrows;
import static org.junit.Assert.assertTrue;

/** hotvirt's cgroups on the real kernel, under a test-only sub-tree removed afterwards. */
public class CgroupsKernelTest {

    @Rule
    public final Children children = new Children();

    private Cgroups cgroups;
    private TestCgroup test;

    @Before
    public void setUp() {
        cgroups = Privileged.assumeCgroups();
        test = new TestCgroup(cgroups);
    }

    @After
    public void tearDown() throws IOException {
        children.killAll(); // before the cgroups go: rmdir needs them empty
        if (test != null) {
            test.close();
        }
    }

    @Test
    public void detectsThisMachine() throws Exception {
        String mountinfo = Files.readString(Path.of("/proc/self/mountinfo"));
        boolean v1 = mountinfo.lines().anyMatch(l -> l.contains(" - cgroup ") && l.matches(".*[ ,](cpu|memory|pids|freezer)(,.*)?$"));
        assertEquals(v1 ? CgroupMode.V1 : CgroupMode.V2, cgroups.mode());
        assertFalse(cgroups.mounts().isEmpty());
        if (cgroups.mode() == CgroupMode.V1) {
            assertFalse("systemd's hierarchy is not hotvirt's", cgroups.mounts().containsKey("name=systemd"));
        }
    }

    @Test
    public void createAddFreezeSignalRemove() throws Exception {
        DomainCgroup cg = cgroups.create(test.path("d1"));
        assertEquals(test.path("d1"), cg.path());
        assertTrue(cg.exists());
        assertEquals(cg.path(), cgroups.create(test.path("d1")).path()); // idempotent
        assertEquals(cgroups.mounts().size(), cg.procsFiles().size());
        for (Path procs : cg.procsFiles()) {
            assertTrue(procs + " exists", Files.exists(procs));
        }
        assertTrue(cg.controllers().containsAll(Set.of("cpu", "memory", "pids", "freezer")));
        assertTrue(cg.pids().isEmpty());

        int pid = children.spawn("sleep", "100");
        CgroupOrigin origin = cgroups.originOf(pid);
        cg.add(pid);
        assertEquals(Set.of(pid), cg.pids());
        for (CgroupEntry e : Procfs.cgroups(pid)) {
            if (cgroups.mounts().containsKey(e.key())) {
                assertEquals("/" + test.path("d1"), e.path());
            }
        }

        cg.freeze();
        assertTrue(cg.frozen());
        cg.thaw();
        assertFalse(cg.frozen());

        IOException busy = assertThrows(IOException.class, cg::remove);
        assertTrue(busy.getMessage(), busy.getMessage().contains("still has processes"));
        assertTrue(busy.getMessage(), busy.getMessage().contains(Integer.toString(pid)));

        cgroups.restore(pid, origin);
        assertTrue(cg.pids().isEmpty());
        for (CgroupEntry e : Procfs.cgroups(pid)) {
            assertEquals(e.key(), origin.pathByHierarchy().get(e.key()), e.path());
        }

        cg.remove();
        assertFalse(cg.exists());
        assertTrue(cgroups.open(test.path("d1")).isEmpty());
        cg.remove(); // nothing left: a no-op
    }

    /**
     * hotvirt dying while a domain is frozen (kill -9 in the middle of a checkpoint) must not leave
     * it frozen: the guard started with the freeze thaws it when its pipe from hotvirt breaks, and
     * leaves quietly after a normal thaw.
     */
    @Test
    public void aFrozenCgroupIsThawedWhenItsFreezerDies() throws Exception {
        DomainCgroup cg = cgroups.create(test.path("guard"));
        int pid = children.spawn(new io.hotvirt.linux.process.SpawnRequest(
                java.util.List.of("sh", "-c", "while :; do :; done"), null, null, cg.procsFiles()));
        Children.await("the loop in the cgroup", 3000, () -> pids(cg).contains(pid));
        Path dir = cg.procsFiles().stream().map(Path::getParent)
                .filter(d -> Files.exists(d.resolve("freezer.state")) || Files.exists(d.resolve("cgroup.freeze")))
                .findFirst().orElseThrow();

        cg.freeze();
        ThawGuard guard = Freezer.guard(dir);
        assertTrue("a guard stands by while frozen", guard != null && Children.alive(guard.pid()));
        cg.thaw();
        assertEquals("the guard leaves with the thaw", null, Freezer.guard(dir));
        assertFalse(Children.alive(guard.pid()));

        cg.freeze();
        guard = Freezer.guard(dir);
        Signals.kill(guard.pid(), Signals.SIGTERM); // a service manager stopping hotvirt's cgroup
        Children.sleep(100);
        assertTrue("the guard outlives a SIGTERM", Children.alive(guard.pid()));
        guard.abandon(); // what the kernel does to the pipe when hotvirt's process dies
        Children.await("the guard to thaw the cgroup", 3000, () -> {
            try {
                return !cg.frozen();
            } catch (IOException e) {
                throw new AssertionError(e);
            }
        });
        long before = Procfs.stat(pid).orElseThrow().utimeTicks();
        Children.await("the loop to run again", 3000, () -> Procfs.stat(pid).orElseThrow().utimeTicks() > before);
        Children.waitExit(guard.pid(), 3000);
    }

    @Test
    public void signalReachesEveryProcessAndReportsTheCount() throws Exception {
        DomainCgroup cg = cgroups.create(test.path("sig"));
        try (ChildReaper reaper = new ChildReaper("test-reaper")) {
            int a = children.spawn(new io.hotvirt.linux.process.SpawnRequest(
                    java.util.List.of("sh", "-c", "sleep 100 & sleep 100 & wait"), null, null, cg.procsFiles()));
            Children.await("3 processes in the cgroup", 3000, () -> pids(cg).size() == 3);
            CompletableFuture<Integer> exit = new CompletableFuture<>();
            reaper.watch(a, exit::complete);
            assertEquals(3, cg.signal(Signals.SIGTERM));
            assertEquals(128 + Signals.SIGTERM, (int) exit.get(5, TimeUnit.SECONDS));
            assertFalse("signal() thaws what it froze", cg.frozen());
            Children.await("the cgroup to empty", 3000, () -> pids(cg).isEmpty());
            assertEquals(0, cg.signal(Signals.SIGTERM));
        }
    }

    @Test
    public void readWriteAndDirs() throws Exception {
        DomainCgroup cg = cgroups.create(test.path("rw"));
        Path cpuDir = cg.dir("cpu");
        assertTrue(Files.isDirectory(cpuDir));
        assertTrue(cpuDir.endsWith(test.path("rw")));
        if (cgroups.mode() == CgroupMode.V1) {
            assertEquals(cgroups.mounts().get("cpuset").resolve(test.path("rw")), cg.dir("cpuset"));
            String parentCpus = Files.readString(cgroups.mounts().get("cpuset").resolve("cpuset.cpus")).strip();
            assertEquals("cpuset.cpus is copied down", parentCpus, cg.read("cpuset", "cpuset.cpus"));
            cg.write("cpu", "cpu.shares", "512");
            assertEquals("512", cg.read("cpu", "cpu.shares"));
        } else {
            cg.write("cpu", "cpu.weight", "50");
            assertEquals("50", cg.read("cpu", "cpu.weight"));
        }
        assertThrows(IllegalArgumentException.class, () -> cg.dir("no-such-controller"));
        IOException bad = assertThrows(IOException.class, () -> cg.write("pids", "pids.max", "lots"));
        assertTrue(bad.getMessage(), bad.getMessage().contains("pids.max") && bad.getMessage().contains("invalid value"));
        IOException gone = assertThrows(IOException.class, () -> cg.add(Integer.MAX_VALUE - 1));
        assertTrue(gone.getMessage(), gone.getMessage().contains("does not exist (it has exited)"));
    }

    @Test
    public void restoreToAVanishedCgroupGoesToTheNearestAncestor() throws Exception {
        DomainCgroup home = cgroups.create(test.path("home/inner"));
        DomainCgroup away = cgroups.create(test.path("away"));
        int pid = children.spawn(new io.hotvirt.linux.process.SpawnRequest(
                java.util.List.of("sleep", "100"), null, null, home.procsFiles()));
        // exec happens after the launcher joined every hierarchy (pids() is a union: one is not enough)
        Children.await("the child to exec", 3000, () -> Procfs.exe(pid).map(e -> e.endsWith("/sleep")).orElse(false));
        assertTrue(pids(home).contains(pid));
        CgroupOrigin origin = cgroups.originOf(pid);
        away.add(pid);
        home.remove();
        cgroups.restore(pid, origin);
        for (CgroupEntry e : Procfs.cgroups(pid)) {
            if (cgroups.mounts().containsKey(e.key())) {
                assertEquals("/" + test.path("home"), e.path());
            }
        }
        assertEquals(1, cgroups.restoreAll(cgroups.open(test.path("home")).orElseThrow(), CgroupOrigin.roots()));
        Map<String, String> now = cgroups.originOf(pid).pathByHierarchy();
        for (String key : cgroups.mounts().keySet()) {
            assertEquals("/", now.get(key));
        }
    }

    private static Set<Integer> pids(DomainCgroup cg) {
        try {
            return cg.pids();
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }
}
