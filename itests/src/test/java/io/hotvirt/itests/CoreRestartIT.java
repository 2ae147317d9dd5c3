package io.hotvirt.itests;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertNotNull;
import static org.junit.Assert.assertTrue;

import io.hotvirt.api.DomainInfo;
import io.hotvirt.api.DomainService;
import io.hotvirt.api.DomainState;
import io.hotvirt.linux.process.Signals;
import io.hotvirt.linux.process.SpawnRequest;
import io.hotvirt.linux.process.Spawner;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import org.junit.Test;
import org.osgi.framework.Bundle;

/** Stopping and starting io.hotvirt.core is online maintenance: every domain runs on untouched. */
public class CoreRestartIT extends HotvirtTestSupport {

    @Test
    public void domainsSurviveCoreRestart() throws Exception {
        DomainService domains = domains();
        int launched = stray(domains.launch("it-r1", List.of("sh", "-c", "sleep 1000 & sleep 1000 & wait")).rootPid());
        Path dir = tempDir();
        int root = stray(Spawner.spawn(new SpawnRequest(List.of("sh", "-c", "sleep 1000 & wait"), dir,
                dir.resolve("r2.log"), List.of())));
        waitFor("the sh of it-r2 to fork", () -> children(root).size() == 1);
        domains.adopt("it-r2", root);
        waitFor("it-r1 to fork both sleeps", () -> children(launched).size() == 2);

        Map<String, Set<Integer>> before = new TreeMap<>();
        before.put("it-r1", family(launched));
        before.put("it-r2", family(root));
        assertEquals(3, before.get("it-r1").size());
        assertEquals(2, before.get("it-r2").size());
        checkDomains(domains, before, Map.of("it-r1", launched, "it-r2", root));

        Bundle core = Arrays.stream(bundleContext.getBundles())
                .filter(b -> "io.hotvirt.core".equals(b.getSymbolicName())).findFirst().orElse(null);
        assertNotNull("bundle io.hotvirt.core installed", core);
        core.stop();
        assertEquals(Bundle.RESOLVED, core.getState());
        assertEquals(null, bundleContext.getServiceReference(DomainService.class));
        for (Set<Integer> pids : before.values()) {
            for (int pid : pids) {
                assertTrue("pid " + pid + " alive while core is stopped", alive(pid));
            }
        }
        core.start();
        assertEquals(Bundle.ACTIVE, core.getState());

        DomainService again = domains();
        checkDomains(again, before, Map.of("it-r1", launched, "it-r2", root));
        String list = ok("domain:list");
        assertContains(list, "it-r1");
        assertContains(list, "it-r2");
    }

    /**
     * The JVM is the parent of a launched root: it reaps it even while io.hotvirt.core is stopped, and
     * the domain shows the real exit status once core is back.
     */
    @Test
    public void aRootThatDiesWhileCoreIsStoppedIsReapedAndShowsItsStatus() throws Exception {
        int root = stray(domains().launch("it-z", List.of("sleep", "1000")).rootPid());
        waitFor("sleep to run", () -> !Spawner.launching(root));
        Bundle core = coreBundle();
        core.stop();
        try {
            Signals.kill(root, Signals.SIGTERM);
            waitFor("the dead root to be reaped, not left a zombie of the JVM",
                    () -> !Files.exists(Path.of("/proc/" + root)));
        } finally {
            core.start();
        }
        DomainService again = domains();
        waitFor("it-z to show its root's status", () -> again.find("it-z")
                .map(d -> d.state() == DomainState.EXITED && Integer.valueOf(143).equals(d.exitStatus())).orElse(false));
        assertContains(ok("domain:info it-z"), "EXITED (143)");
    }

    private Bundle coreBundle() {
        Bundle core = Arrays.stream(bundleContext.getBundles())
                .filter(b -> "io.hotvirt.core".equals(b.getSymbolicName())).findFirst().orElse(null);
        assertNotNull("bundle io.hotvirt.core installed", core);
        return core;
    }

    private static void checkDomains(DomainService domains, Map<String, Set<Integer>> pids, Map<String, Integer> roots) {
        for (Map.Entry<String, Set<Integer>> e : pids.entrySet()) {
            String name = e.getKey();
            DomainInfo info = domains.find(name).orElseThrow(() -> new AssertionError("domain " + name + " known"));
            assertEquals(name + " state", DomainState.RUNNING, info.state());
            assertEquals(name + " root pid", (int) roots.get(name), info.rootPid());
            assertEquals(name + " processes", e.getValue(), pids(domains.processTree(name)));
            for (int pid : e.getValue()) {
                assertTrue("pid " + pid + " of " + name + " alive", alive(pid));
                assertTrue("pid " + pid + " in the cgroup of " + name + ":\n" + cgroups(pid), inDomain(pid, name));
            }
        }
    }

    private static Set<Integer> family(int root) {
        Set<Integer> all = new TreeSet<>(children(root));
        all.add(root);
        return all;
    }
}
