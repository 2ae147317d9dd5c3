package io.hotvirt.itests;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;

import io.hotvirt.api.DomainInfo;
import io.hotvirt.api.DomainOrigin;
import io.hotvirt.linux.process.SpawnRequest;
import io.hotvirt.linux.process.Spawner;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.junit.Test;

/** Adopts a running process tree, watches it grow inside the domain, gives it back. */
public class AdoptIT extends HotvirtTestSupport {

    @Test
    public void adoptTreeAndRelease() throws Exception {
        Path dir = tempDir();
        Path fifo = dir.resolve("go");
        // a helper that is never traced: ProcessBuilder is fine for it
        assertEquals(0, new ProcessBuilder("mkfifo", fifo.toString()).inheritIO().start().waitFor());

        // two children now, a third once a line arrives on the fifo (`read` is a builtin: no fork)
        int root = stray(Spawner.spawn(new SpawnRequest(
                List.of("sh", "-c", "sleep 1000 & sleep 1000 & read line < " + fifo + "; sleep 1000 & wait"),
                dir, dir.resolve("tree.log"), List.of())));
        waitFor("sh to fork two sleeps", () -> children(root).size() == 2);
        Set<Integer> first = children(root);
        assertTrue("not in any " + CGROUP_ROOT + " cgroup before:\n" + cgroups(root), outsideHotvirt(root));

        String adopted = ok("domain:adopt it-tree " + root);
        assertContains(adopted, "Domain it-tree adopted: 3 processes, cgroup");
        assertContains(adopted, CGROUP_ROOT + "/it-tree");
        assertTrue("root in the cgroup:\n" + cgroups(root), inDomain(root, "it-tree"));
        for (int child : first) {
            assertTrue("child " + child + " in the cgroup:\n" + cgroups(child), inDomain(child, "it-tree"));
        }
        assertTrue(ok("domain:list").contains("adopted"));

        Files.writeString(fifo, "go\n");
        waitFor("sh to fork a third sleep", () -> children(root).size() == 3);
        Set<Integer> later = new TreeSet<>(children(root));
        later.removeAll(first);
        assertEquals(1, later.size());
        int third = later.iterator().next();
        assertTrue("the child forked after adoption is in the cgroup:\n" + cgroups(third), inDomain(third, "it-tree"));
        waitFor("the domain to count 4 processes", () -> processCount("it-tree") == 4);
        String info = ok("domain:info it-tree");
        for (int pid : children(root)) {
            assertContains(info, String.valueOf(pid));
        }

        String released = ok("domain:release it-tree");
        assertContains(released, "Domain it-tree released: 4 processes run on outside hotvirt");
        assertFalse(domains().find("it-tree").isPresent());
        Set<Integer> all = new TreeSet<>(children(root));
        all.add(root);
        assertEquals(4, all.size());
        for (int pid : all) {
            assertTrue("pid " + pid + " alive after release", alive(pid));
            assertTrue("pid " + pid + " outside " + CGROUP_ROOT + ":\n" + cgroups(pid), outsideHotvirt(pid));
        }
    }

    /** A restored tree is adopted with its saved settings, in force from the start: no cpu:set, no memory:set. */
    @Test
    public void restoredTreeHasItsSavedSettingsInForce() throws Exception {
        Path dir = tempDir();
        int root = stray(Spawner.spawn(new SpawnRequest(List.of("sh", "-c", "while :; do sleep 1; done"),
                dir, dir.resolve("loop.log"), List.of())));
        waitFor("sh to fork its sleep", () -> children(root).size() == 1);
        Map<String, Map<String, String>> settings = Map.of("cpu", Map.of("cpus", "0.5", "weight", "300"),
                "memory", Map.of("max", String.valueOf(256L << 20)));

        // a restore places the tree before its memory holds its command line: the image's is given
        List<String> saved = List.of("/bin/sh", "-c", "the saved command line");
        DomainInfo info = domains().restored("it-rst", root, saved, settings);
        assertEquals(DomainOrigin.RESTORED, info.origin());
        assertEquals(saved, info.command());
        assertEquals(settings, info.settings());
        assertEquals(settings.get("cpu"), domains().domain("it-rst").orElseThrow().settings("cpu"));
        assertTrue("cpu and memory hold it: " + info.capabilities(),
                info.capabilities().containsAll(List.of("cpu", "memory")));
        assertTrue(inDomain(root, "it-rst"));
        for (int child : children(root)) {
            assertTrue(inDomain(child, "it-rst"));
        }
        assertEquals("50000", kernel("cpu", "cpu.cfs_quota_us", "cpu.max").split(" ")[0]);
        assertEquals(String.valueOf(256L << 20), kernel("memory", "memory.limit_in_bytes", "memory.max"));
        assertContains(ok("cpu:show it-rst"), "the settings are in force");
        assertContains(ok("domain:list"), "restored");
        assertContains(ok("domain:info it-rst"), "Origin       : restored");

        // the two-argument adopt still stores nothing
        int other = stray(Spawner.spawn(new SpawnRequest(List.of("sleep", "1000"), dir, dir.resolve("s.log"),
                List.of())));
        DomainInfo plain = domains().adopt("it-plain", other);
        assertEquals(DomainOrigin.ADOPTED, plain.origin());
        assertEquals(Map.of(), plain.settings());

        assertContains(ok("domain:release it-rst"), "released");
        assertTrue(alive(root));
        assertTrue(outsideHotvirt(root));
    }

    /** A file of the domain it-rst's cgroup: the v1 controller's hierarchy, or the v2 one. */
    private static String kernel(String controller, String v1File, String v2File) throws Exception {
        Path v2 = Path.of("/sys/fs/cgroup/" + CGROUP_ROOT + "/it-rst/" + v2File);
        Path file = Files.exists(Path.of("/sys/fs/cgroup/cgroup.controllers")) ? v2
                : Path.of("/sys/fs/cgroup/" + controller + "/" + CGROUP_ROOT + "/it-rst/" + v1File);
        return Files.readString(file).trim();
    }

    private int processCount(String name) {
        try {
            return domains().find(name).orElseThrow().processCount();
        } catch (InterruptedException e) {
            throw new IllegalStateException(e);
        }
    }
}
