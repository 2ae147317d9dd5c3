package io.hotvirt.linux.cgroup;

import org.junit.Test;

import java.nio.file.Path;
import java.util.List;
import java.util.Set;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertThrows;
import static org.junit.Assert.assertTrue;

/** mountinfo parsing and mode detection on literal text. */
public class CgroupMountTest {

    private static final Set<String> KNOWN = Set.of("cpuset", "cpu", "cpuacct", "blkio", "memory", "devices",
            "freezer", "net_cls", "perf_event", "net_prio", "hugetlb", "pids");

    private static final String HYBRID = String.join("\n",
            "22 1 0:21 / /proc rw,nosuid,nodev,noexec,relatime shared:12 - proc proc rw",
            "31 23 0:28 / /sys/fs/cgroup rw,relatime - tmpfs tmpfs rw,mode=755",
            "32 31 0:29 / /sys/fs/cgroup/cpu,cpuacct rw,relatime - cgroup cgroup rw,cpu,cpuacct",
            "34 31 0:31 / /sys/fs/cgroup/cpuset rw,relatime - cgroup cgroup rw,cpuset",
            "35 31 0:32 / /sys/fs/cgroup/memory rw,relatime - cgroup cgroup rw,memory",
            "37 31 0:34 / /sys/fs/cgroup/freezer rw,relatime - cgroup cgroup rw,freezer",
            "36 31 0:33 / /sys/fs/cgroup/devices rw,relatime - cgroup cgroup rw,devices",
            "39 31 0:36 / /sys/fs/cgroup/pids rw,relatime - cgroup cgroup rw,pids",
            "40 31 0:37 / /sys/fs/cgroup/systemd rw,relatime - cgroup cgroup rw,xattr,release_agent=/x,name=systemd",
            "41 31 0:38 / /sys/fs/cgroup/unified rw,relatime - cgroup2 cgroup2 rw,nsdelegate",
            "90 35 0:32 /docker/abc /mnt/mem\\040x rw - cgroup cgroup rw,memory");

    private static final String PURE_V2 = String.join("\n",
            "22 1 0:21 / /proc rw,nosuid,nodev,noexec,relatime shared:12 - proc proc rw",
            "30 23 0:27 / /sys/fs/cgroup rw,nosuid,nodev,noexec,relatime shared:9 - cgroup2 cgroup2"
                    + " rw,nsdelegate,memory_recursiveprot");

    @Test
    public void parsesV1AndV2Mounts() {
        List<CgroupMount> mounts = CgroupMount.parse(HYBRID, KNOWN);
        assertEquals(9, mounts.size());
        CgroupMount cpu = mounts.get(0);
        assertEquals(List.of("cpu", "cpuacct"), cpu.controllers());
        assertEquals("cpu,cpuacct", cpu.key());
        assertEquals(Path.of("/sys/fs/cgroup/cpu,cpuacct"), cpu.mountPoint());
        assertEquals("name=systemd", mounts.get(6).key()); // other super options dropped
        assertTrue(mounts.get(7).v2());
        CgroupMount bind = mounts.get(8);
        assertEquals("/docker/abc", bind.root());
        assertEquals(Path.of("/mnt/mem x"), bind.mountPoint());
    }

    @Test
    public void hybridIsV1AndManagesTheControllerHierarchies() throws Exception {
        List<CgroupMount> mounts = CgroupMount.parse(HYBRID, KNOWN);
        assertEquals(CgroupMode.V1, Cgroups.mode(mounts));
        List<Hierarchy> managed = Cgroups.v1Hierarchies(mounts);
        assertEquals(List.of("cpu,cpuacct", "cpuset", "memory", "freezer", "pids"),
                managed.stream().map(Hierarchy::key).toList());
        Hierarchy memory = managed.get(2);
        assertEquals(Path.of("/sys/fs/cgroup/memory"), memory.mountPoint()); // the whole tree, not the bind mount
        assertTrue(managed.get(0).has("cpuacct"));
    }

    @Test
    public void pureV2() throws Exception {
        assertEquals(CgroupMode.V2, Cgroups.mode(CgroupMount.parse(PURE_V2, KNOWN)));
    }

    @Test
    public void noCgroupsAtAll() {
        assertThrows(java.io.IOException.class, () -> Cgroups.mode(CgroupMount.parse(
                "22 1 0:21 / /proc rw - proc proc rw", KNOWN)));
    }

    @Test
    public void hierarchyPaths() {
        Hierarchy sub = new Hierarchy("memory", List.of("memory"), Path.of("/c/memory"), "/docker/abc", false);
        assertEquals(Path.of("/c/memory/x"), sub.dirOfCgroupPath("/docker/abc/x"));
        assertEquals(Path.of("/c/memory"), sub.dirOfCgroupPath("/docker/abc"));
        assertEquals(Path.of("/c/memory/y"), sub.dirOfCgroupPath("/y"));
        assertEquals("/docker/abc/hotvirt/w1", sub.cgroupPath("hotvirt/w1"));
        Hierarchy whole = new Hierarchy("", List.of(), Path.of("/sys/fs/cgroup"), "/", true);
        assertEquals(Path.of("/sys/fs/cgroup"), whole.dirOfCgroupPath("/"));
        assertEquals("/hotvirt/w1", whole.cgroupPath("hotvirt/w1"));
    }

    @Test
    public void relativePathsAreChecked() {
        assertEquals("hotvirt/w1", Cgroups.normalize("/hotvirt/w1/"));
        for (String bad : new String[] {"", "/", "hotvirt/../etc", "a//b", "a:b", "a b", "."}) {
            assertThrows(bad, IllegalArgumentException.class, () -> Cgroups.normalize(bad));
        }
    }
}
