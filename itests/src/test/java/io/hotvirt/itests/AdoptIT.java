package io.hotvirt.itests;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;

import io.hotvirt.linux.process.SpawnRequest;
import io.hotvirt.linux.process.Spawner;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
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
        assertContains(adopted, "Domain it-tree adopted: 3 processes");
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

    private int processCount(String name) {
        try {
            return domains().find(name).orElseThrow().processCount();
        } catch (InterruptedException e) {
            throw new IllegalStateException(e);
        }
    }
}
