package io.hotvirt.cpu;

import io.hotvirt.cpu.kernel.CpuKnobs;
import io.hotvirt.linux.cgroup.CgroupMode;
import io.hotvirt.linux.cgroup.Cgroups;
import io.hotvirt.linux.cgroup.DomainCgroup;
import io.hotvirt.linux.cgroup.DomainCgroupFiles;
import io.hotvirt.linux.process.ChildReaper;
import io.hotvirt.linux.process.SpawnRequest;
import io.hotvirt.linux.process.Spawner;
import io.hotvirt.linux.process.Signals;
import io.hotvirt.linux.testing.Privileged;
import io.hotvirt.shell.testing.TestDomain;
import org.junit.After;
import org.junit.Assume;
import org.junit.Before;
import org.junit.Test;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertNull;
import static org.junit.Assert.assertTrue;
import static org.junit.Assert.fail;

/**
 * The cpu capability on the real kernel: a busy loop in its own cgroup, measured from the cgroup's
 * CPU accounting, runs at about 20% of a CPU under cpus=0.2 and at full speed once devirtualized.
 */
public class CpuKernelTest {

    private static final List<String> BUSY_LOOP = List.of("sh", "-c", "while :; do :; done");

    private final String top = "hotvirt-cputest-" + UUID.randomUUID().toString().substring(0, 8);
    private final List<Integer> pids = new ArrayList<>();
    private Cgroups cgroups;
    private ChildReaper reaper;
    private final List<CountDownLatch> exits = new ArrayList<>();

    @Before
    public void setUp() throws IOException {
        cgroups = Privileged.assumeCgroups();
        reaper = new ChildReaper("cputest-reaper");
        // The test's own parent cgroup gets the highest weight, so that other work on the machine
        // (builds in the root cgroup) cannot starve the loops the test measures.
        CpuControllers.forMode(cgroups.mode()).apply(new DomainCgroupFiles(cgroups.create(top)),
                new CpuSettings(null, CpuWeight.MAX, null));
    }

    @After
    public void tearDown() throws Exception {
        if (reaper == null) {
            return;
        }
        try {
            for (int pid : pids) {
                try {
                    Signals.kill(pid, Signals.SIGKILL);
                } catch (IOException gone) {
                    // exited already
                }
            }
            for (CountDownLatch exit : exits) {
                assertTrue("a busy loop was not reaped after SIGKILL", exit.await(5, TimeUnit.SECONDS));
            }
        } finally {
            reaper.close();
            removeTree();
        }
    }

    private void removeTree() throws IOException {
        for (String path : List.of(top + "/busy", top + "/twin", top + "/narrow/busy", top + "/narrow", top)) {
            var cg = cgroups.open(path);
            if (cg.isPresent()) {
                cg.get().remove();
            }
        }
    }

    private TestDomain busyDomain(String path) throws IOException {
        DomainCgroup cgroup = cgroups.create(path);
        int pid = Spawner.spawn(new SpawnRequest(BUSY_LOOP, null, null, cgroup.procsFiles()));
        pids.add(pid);
        CountDownLatch exit = new CountDownLatch(1);
        exits.add(exit);
        reaper.watch(pid, status -> exit.countDown());
        long deadline = System.currentTimeMillis() + 5_000;
        while (!cgroup.pids().contains(pid)) {
            if (System.currentTimeMillis() > deadline || exit.getCount() == 0) {
                fail("busy loop " + pid + " did not join cgroup " + path);
            }
            sleep(5);
        }
        return new TestDomain("busy", pid, cgroup);
    }

    /**
     * A twin busy loop without limits runs beside the domain. It shows whether the machine has CPU
     * time to spare for the measurement, and is the yardstick for "full speed" when there are not
     * two idle CPUs.
     */
    @Test
    public void busyLoopRunsAtTheLimitAndAtFullSpeedOnceReleased() throws Exception {
        TestDomain domain = busyDomain(top + "/busy");
        TestDomain twin = busyDomain(top + "/twin");
        CpuControl control = new CgroupCpuControl(cgroups);
        CpuCapability capability = new CpuCapability(control);
        domain.saveSettings("cpu", Map.of("cpus", "0.2"));

        capability.virtualize(domain);
        assertEquals(0.2, control.current(domain).cpus(), 1e-9);
        double[] limited = measure("cpus=0.2", control, domain, twin);
        assertTrue("under cpus=0.2 the busy loop used " + limited[0] + "% of a CPU", limited[0] >= 10 && limited[0] <= 30);
        CpuUsage usage = control.usage(domain);
        assertTrue("a throttled domain shows throttled periods: " + usage, usage.throttledPeriods() > 0);
        assertTrue("and throttled time: " + usage, usage.throttledNanos() > 0);

        capability.devirtualize(domain);
        CpuKnobs free = control.current(domain);
        assertNull("devirtualized, no bandwidth limit is left: " + free.files(), free.cpus());
        assertEquals(100, free.weight());
        CpuUsage before = control.usage(domain);
        double[] full = measure("devirtualized", control, domain, twin);
        assertEquals("devirtualized, the loop is never throttled", 0,
                control.usage(domain).since(before).throttledPeriods());
        assertTrue("devirtualized, the busy loop used " + full[0] + "% of a CPU, its unlimited twin " + full[1] + "%",
                full[0] > 70 || full[0] >= 0.75 * full[1]);

        capability.virtualize(domain); // the bundle starting again
        double[] again = measure("virtualized again", control, domain, twin);
        System.out.printf("busy loop: %.1f%% of a CPU under cpus=0.2 (twin %.1f%%), %.1f%% devirtualized (twin %.1f%%),"
                + " %.1f%% virtualized again (cgroup %s)%n", limited[0], limited[1], full[0], full[1], again[0],
                control.cgroupVersion());
        assertTrue("virtualized again, the busy loop used " + again[0] + "% of a CPU", again[0] >= 10 && again[0] <= 30);
    }

    /**
     * CPU use of the domain and its twin over 2 s; measured again (up to 3 times) while the twin gets
     * less than half a CPU, i.e. while other work leaves too little CPU time to tell a limit apart.
     */
    private static double[] measure(String phase, CpuControl control, TestDomain domain, TestDomain twin)
            throws IOException {
        double[] result = null;
        for (int attempt = 0; attempt < 3 && (result == null || result[1] < 50); attempt++) {
            result = percent(control, 2_000, domain, twin);
        }
        Privileged.assume("CPU time to spare (" + phase + ": an unlimited busy loop got only " + Math.round(result[1])
                + "% of a CPU; load " + java.nio.file.Files.readString(java.nio.file.Path.of("/proc/loadavg")).strip()
                + ")", result[1] >= 50);
        return result;
    }

    @Test
    public void badInputChangesNothing() throws Exception {
        TestDomain domain = busyDomain(top + "/busy");
        CpuControl control = new CgroupCpuControl(cgroups);
        control.configure(domain, new CpuSettings(0.5, 200, null));
        CpuList online = control.onlineCpus();
        int missing = online.ids()[online.count() - 1] + 1;
        try {
            control.configure(domain, new CpuSettings(0.3, 300, CpuList.of(missing)));
            fail("pinned to CPU " + missing + ", which is not online");
        } catch (IllegalArgumentException e) {
            assertTrue(e.getMessage(), e.getMessage().contains("CPU " + missing + " does not exist"));
        }
        CpuKnobs knobs = control.current(domain);
        assertEquals(0.5, knobs.cpus(), 1e-9);
        assertEquals(200, knobs.weight());
        assertEquals(Map.of("cpus", "0.5", "weight", "200"), domain.settings("cpu"));
        control.devirtualize(domain);
    }

    /** cgroup v1 refuses a pin outside the parent's CPUs: the domain is put back as it was. */
    @Test
    public void kernelRefusalRollsBack() throws Exception {
        Assume.assumeTrue("v1 only: v2 accepts any CPU list and intersects it with the parent's",
                cgroups.mode() == CgroupMode.V1);
        CpuList online = CpuList.parse(java.nio.file.Files.readString(java.nio.file.Path.of(
                "/sys/devices/system/cpu/online")));
        Assume.assumeTrue("needs two online CPUs", online.count() >= 2);
        DomainCgroup narrow = cgroups.create(top + "/narrow");
        narrow.write("cpuset", "cpuset.cpus", Integer.toString(online.ids()[0]));
        TestDomain domain = busyDomain(top + "/narrow/busy");
        CpuControl control = new CgroupCpuControl(cgroups);
        control.configure(domain, new CpuSettings(0.5, null, null));
        try {
            control.configure(domain, new CpuSettings(0.25, 50, CpuList.of(online.ids()[1])));
            fail("the kernel took a CPU its parent cgroup does not have");
        } catch (IOException e) {
            assertTrue(e.getMessage(), e.getMessage().contains("the parent cgroup allows CPUs " + online.ids()[0]));
        }
        CpuKnobs knobs = control.current(domain);
        assertEquals("rolled back: " + knobs.files(), 0.5, knobs.cpus(), 1e-9);
        assertEquals(100, knobs.weight());
        assertEquals(Map.of("cpus", "0.5"), domain.settings("cpu"));
    }

    /** Each domain's CPU time over {@code millis} as a percentage of one CPU, from cgroup accounting. */
    private static double[] percent(CpuControl control, long millis, TestDomain... domains) throws IOException {
        sleep(200); // let a change of limit take hold
        CpuUsage[] before = new CpuUsage[domains.length];
        for (int i = 0; i < domains.length; i++) {
            before[i] = control.usage(domains[i]);
        }
        long start = System.nanoTime();
        sleep(millis);
        long wall = System.nanoTime() - start;
        double[] out = new double[domains.length];
        for (int i = 0; i < domains.length; i++) {
            out[i] = control.usage(domains[i]).since(before[i]).percentOfOneCpu(wall);
        }
        return out;
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }
}
