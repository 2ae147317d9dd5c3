package io.hotvirt.itests;

import static org.junit.Assert.assertNotNull;
import static org.junit.Assert.assertTrue;

import io.hotvirt.api.DomainService;
import io.hotvirt.api.ProcessInfo;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import org.junit.Test;
import org.osgi.framework.Bundle;

/**
 * The cpu capability as a hot-swappable bundle: a busy loop under {@code --cpus 0.2} gets about a
 * fifth of a CPU; stopping io.hotvirt.cpu lets it run at full speed, starting it brings the limit
 * back. The loop never stops.
 */
public class CpuHotSwapIT extends HotvirtTestSupport {

    private static final String NAME = PREFIX + "cpu";

    @Test
    public void stoppingTheBundleLiftsTheLimitAndStartingItRestoresIt() throws Exception {
        int pid = stray(domains().launch(NAME, List.of("sh", "-c", "while :; do :; done")).rootPid());
        assertContains(ok("cpu:set " + NAME + " --cpus 0.2"), "0.2");

        assertAround("under --cpus 0.2", 20, percentOfOneCpu());

        Bundle cpu = bundle("io.hotvirt.cpu");
        cpu.stop();
        double free = percentOfOneCpu();
        assertTrue("without the cpu bundle the loop runs at full speed, got " + free + "%", free > 60);
        assertTrue("the workload kept running", alive(pid));

        cpu.start();
        waitFor("the cpu capability to hold " + NAME, () -> {
            try {
                return domains().find(NAME).orElseThrow().capabilities().contains("cpu");
            } catch (InterruptedException e) {
                return false;
            }
        });
        assertAround("after the cpu bundle is back", 20, percentOfOneCpu());
        assertContains(ok("cpu:show " + NAME), "0.2");
        assertTrue("the workload kept running", alive(pid));
    }

    @Test
    public void badInputIsRefusedAndChangesNothing() throws Exception {
        stray(domains().launch(NAME, List.of("sh", "-c", "while :; do sleep 1; done")).rootPid());
        ok("cpu:set " + NAME + " --cpus 0.5");
        assertContains(failing("cpu:set " + NAME + " --cpus 0"), "would stop the domain");
        assertContains(failing("cpu:set " + NAME + " --cpus -1"), "would stop the domain");
        assertContains(failing("cpu:set " + NAME + " --pin 4000"), "is offline");
        assertContains(failing("cpu:set " + NAME + " --weight 0"), "out of range");
        assertContains(failing("cpu:set it-nosuch --cpus 1"), "no domain named");
        assertContains(ok("cpu:show " + NAME), "0.5");
    }

    private Bundle bundle(String symbolicName) {
        Bundle bundle = Arrays.stream(bundleContext.getBundles())
                .filter(b -> symbolicName.equals(b.getSymbolicName())).findFirst().orElse(null);
        assertNotNull("bundle " + symbolicName + " installed", bundle);
        return bundle;
    }

    /** CPU use of the domain over 2.5 s, from the kernel's accounting, in percent of one CPU. */
    private double percentOfOneCpu() throws InterruptedException {
        Thread.sleep(300); // let a change of limit take effect
        long cpu0 = cpuNanos();
        long wall0 = System.nanoTime();
        Thread.sleep(2500);
        long cpu1 = cpuNanos();
        long wall1 = System.nanoTime();
        return 100.0 * (cpu1 - cpu0) / (wall1 - wall0);
    }

    private long cpuNanos() throws InterruptedException {
        return sum(domains().processTree(NAME)).toNanos();
    }

    private static Duration sum(List<ProcessInfo> tree) {
        Duration total = Duration.ZERO;
        for (ProcessInfo p : tree) {
            total = total.plus(p.cpuTime()).plus(sum(p.children()));
        }
        return total;
    }

    private static void assertAround(String when, double expected, double actual) {
        assertTrue(when + ": expected about " + expected + "% of a CPU, got " + actual + "%",
                actual > expected * 0.5 && actual < expected * 1.5);
    }
}
