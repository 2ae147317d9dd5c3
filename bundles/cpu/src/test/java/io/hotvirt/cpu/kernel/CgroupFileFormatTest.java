package io.hotvirt.cpu.kernel;

import io.hotvirt.cpu.CpuList;
import io.hotvirt.cpu.CpuSettings;
import io.hotvirt.cpu.CpuUsage;
import io.hotvirt.linux.cgroup.CgroupFiles;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertNull;
import static org.junit.Assert.assertTrue;
import static org.junit.Assert.fail;

/** The exact file formats the v1 and v2 strategies read and write (v2 has no CPU controller on the CI machines, so its kernel test cannot run there). */
public class CgroupFileFormatTest {

    @Rule
    public TemporaryFolder tmp = new TemporaryFolder();

    private Path v1Root;

    private CgroupFiles v1() throws IOException {
        v1Root = tmp.newFolder("v1").toPath();
        file(v1Root, "cpu/hotvirt/w1/cpu.cfs_quota_us", "-1");
        file(v1Root, "cpu/hotvirt/w1/cpu.cfs_period_us", "100000");
        file(v1Root, "cpu/hotvirt/w1/cpu.shares", "1024");
        file(v1Root, "cpu/hotvirt/w1/cpu.stat", "nr_periods 50\nnr_throttled 40\nthrottled_time 3000000000\n");
        file(v1Root, "cpuacct/hotvirt/w1/cpuacct.usage", "123456789");
        file(v1Root, "cpuset/hotvirt/cpuset.cpus", "0-1");
        file(v1Root, "cpuset/hotvirt/w1/cpuset.cpus", "0-1");
        return new DirectoryCgroupFiles("hotvirt/w1", c -> v1Root.resolve(c).resolve("hotvirt/w1"));
    }

    private CgroupFiles v2(boolean withControllers) throws IOException {
        Path root = tmp.newFolder("v2").toPath();
        Path dir = root.resolve("hotvirt/w1");
        file(root, "hotvirt/w1/cpu.stat", "usage_usec 2500000\nuser_usec 2000000\nsystem_usec 500000\n"
                + (withControllers ? "nr_periods 10\nnr_throttled 8\nthrottled_usec 700000\n" : ""));
        if (withControllers) {
            file(root, "hotvirt/w1/cpu.max", "max 100000");
            file(root, "hotvirt/w1/cpu.weight", "100");
            file(root, "hotvirt/w1/cpuset.cpus", "");
        }
        return new DirectoryCgroupFiles("hotvirt/w1", c -> dir);
    }

    @Test
    public void v1AppliesAndResets() throws IOException {
        CgroupFiles cg = v1();
        CpuControllerV1 v1 = new CpuControllerV1();
        v1.apply(cg, new CpuSettings(0.2, 200, CpuList.of(1)));
        assertEquals("20000", cg.read("cpu", "cpu.cfs_quota_us"));
        assertEquals("100000", cg.read("cpu", "cpu.cfs_period_us"));
        assertEquals("2048", cg.read("cpu", "cpu.shares"));
        assertEquals("1", cg.read("cpuset", "cpuset.cpus"));
        CpuKnobs knobs = v1.current(cg);
        assertEquals(0.2, knobs.cpus(), 1e-9);
        assertEquals(200, knobs.weight());
        assertEquals(CpuList.of(1), knobs.pin());

        v1.reset(cg);
        assertEquals("-1", cg.read("cpu", "cpu.cfs_quota_us"));
        assertEquals("1024", cg.read("cpu", "cpu.shares"));
        assertEquals("0-1", cg.read("cpuset", "cpuset.cpus")); // the parent's
        assertNull(v1.current(cg).cpus());
    }

    @Test
    public void v1FixesAForeignPeriod() throws IOException {
        CgroupFiles cg = v1();
        cg.write("cpu", "cpu.cfs_period_us", "250000");
        new CpuControllerV1().apply(cg, new CpuSettings(1.5, null, null));
        assertEquals("100000", cg.read("cpu", "cpu.cfs_period_us"));
        assertEquals("150000", cg.read("cpu", "cpu.cfs_quota_us"));
    }

    @Test
    public void v1Usage() throws IOException {
        CpuUsage usage = new CpuControllerV1().usage(v1());
        assertEquals(new CpuUsage(123_456_789L, 50, 40, 3_000_000_000L), usage);
    }

    @Test
    public void v1MissingCpusetIsAnErrorOnlyWhenPinning() throws IOException {
        CgroupFiles cg = v1();
        Files.delete(v1Root.resolve("cpuset/hotvirt/w1/cpuset.cpus"));
        CpuControllerV1 v1 = new CpuControllerV1();
        v1.apply(cg, new CpuSettings(0.5, null, null));
        try {
            v1.apply(cg, new CpuSettings(0.5, null, CpuList.of(0)));
            fail();
        } catch (IOException e) {
            assertTrue(e.getMessage(), e.getMessage().contains("has no cpuset.cpus"));
        }
    }

    @Test
    public void v2AppliesAndResets() throws IOException {
        CgroupFiles cg = v2(true);
        CpuControllerV2 v2 = new CpuControllerV2();
        v2.apply(cg, new CpuSettings(1.5, 50, CpuList.parse("0-1")));
        assertEquals("150000 100000", cg.read("cpu", "cpu.max"));
        assertEquals("50", cg.read("cpu", "cpu.weight"));
        assertEquals("0-1", cg.read("cpuset", "cpuset.cpus"));
        CpuKnobs knobs = v2.current(cg);
        assertEquals(1.5, knobs.cpus(), 1e-9);
        assertEquals(50, knobs.weight());
        assertEquals("cpu.max=150000 100000, cpu.weight=50, cpuset.cpus=0-1", knobs.files());

        v2.reset(cg);
        assertEquals("max 100000", cg.read("cpu", "cpu.max"));
        assertEquals("100", cg.read("cpu", "cpu.weight"));
        assertEquals("", cg.read("cpuset", "cpuset.cpus"));
        assertNull(v2.current(cg).pin());
        assertNull(v2.current(cg).cpus());
    }

    @Test
    public void v2Usage() throws IOException {
        assertEquals(new CpuUsage(2_500_000_000L, 10, 8, 700_000_000L), new CpuControllerV2().usage(v2(true)));
    }

    @Test
    public void v2WithoutControllers() throws IOException {
        CgroupFiles cg = v2(false);
        CpuControllerV2 v2 = new CpuControllerV2();
        v2.reset(cg); // nothing to lift, no error
        assertEquals(new CpuUsage(2_500_000_000L, 0, 0, 0), v2.usage(cg));
        try {
            v2.apply(cg, new CpuSettings(0.2, null, null));
            fail();
        } catch (IOException e) {
            assertTrue(e.getMessage(), e.getMessage().contains("add +cpu to its parent's cgroup.subtree_control"));
        }
    }

    private static void file(Path root, String relative, String content) throws IOException {
        Path p = root.resolve(relative);
        Files.createDirectories(p.getParent());
        Files.writeString(p, content + (content.endsWith("\n") ? "" : "\n"));
    }
}
