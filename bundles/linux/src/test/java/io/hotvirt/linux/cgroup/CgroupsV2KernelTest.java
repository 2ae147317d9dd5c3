package io.hotvirt.linux.cgroup;

import io.hotvirt.linux.proc.CgroupEntry;
import io.hotvirt.linux.proc.Procfs;
import io.hotvirt.linux.process.ChildReaper;
import io.hotvirt.linux.process.Signals;
import io.hotvirt.linux.process.SpawnRequest;
import io.hotvirt.linux.testing.Children;
import io.hotvirt.linux.testing.Privileged;
import io.hotvirt.linux.testing.TestCgroup;
import org.junit.After;
import org.junit.Assume;
import org.junit.Before;
import org.junit.Rule;
import org.junit.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;

/**
 * The cgroup v2 code on whatever cgroup2 mount this machine has: on a hybrid CI machine that is the
 * (controller-less) /sys/fs/cgroup/unified, which still has cgroup.procs, cgroup.freeze and
 * cgroup.events — enough to run the v2 paths against the real kernel.
 */
public class CgroupsV2KernelTest {

    @Rule
    public final Children children = new Children();

    private Cgroups cgroups;
    private TestCgroup test;

    @Before
    public void setUp() throws IOException {
        Privileged.assume("root (to manage cgroups)");
        List<Path> mounts = Cgroups.v2MountPoints();
        Assume.assumeFalse("no cgroup2 mount on this machine", mounts.isEmpty());
        cgroups = Cgroups.v2(mounts.get(0), "/");
        Privileged.assume("a writable cgroup2 mount at " + mounts.get(0), Files.isWritable(mounts.get(0)));
        test = new TestCgroup(cgroups);
    }

    @After
    public void tearDown() throws IOException {
        children.killAll();
        if (test != null) {
            test.close();
        }
    }

    @Test
    public void launchFreezeSignalRestoreRemove() throws Exception {
        assertEquals(CgroupMode.V2, cgroups.mode());
        DomainCgroup cg = cgroups.create(test.path("d1"));
        assertEquals(List.of(cgroups.mounts().get("").resolve(test.path("d1")).resolve("cgroup.procs")), cg.procsFiles());
        assertEquals(cg.dir("cpu"), cg.dir("memory")); // one directory for every controller
        assertTrue(cg.controllers().contains("freezer"));

        int pid = children.spawn(new SpawnRequest(List.of("sleep", "100"), null, null, cg.procsFiles()));
        Children.await("the child to exec", 3000, () -> Procfs.exe(pid).map(e -> e.endsWith("/sleep")).orElse(false));
        assertEquals(Set.of(pid), cg.pids());
        CgroupEntry v2 = Procfs.cgroups(pid).stream().filter(CgroupEntry::v2).findFirst().orElseThrow();
        assertEquals("/" + test.path("d1"), v2.path());

        cg.freeze();
        assertTrue(cg.frozen());
        cg.thaw();
        assertFalse(cg.frozen());

        cgroups.restore(pid, CgroupOrigin.roots());
        assertTrue(cg.pids().isEmpty());
        cg.add(pid);
        assertEquals(Set.of(pid), cg.pids());

        try (ChildReaper reaper = new ChildReaper("test-reaper")) {
            CompletableFuture<Integer> exit = new CompletableFuture<>();
            reaper.watch(pid, exit::complete);
            assertEquals(1, cg.signal(Signals.SIGKILL));
            assertEquals(137, (int) exit.get(5, TimeUnit.SECONDS));
        }
        Children.await("the cgroup to empty", 3000, () -> {
            try {
                return cg.pids().isEmpty();
            } catch (IOException e) {
                throw new AssertionError(e);
            }
        });
        cg.remove();
        assertFalse(cg.exists());
    }
}
