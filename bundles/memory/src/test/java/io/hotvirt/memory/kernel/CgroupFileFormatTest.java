package io.hotvirt.memory.kernel;

import io.hotvirt.linux.jna.Errno;
import io.hotvirt.memory.MemorySettings;
import io.hotvirt.memory.MemoryUsage;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

import java.io.IOException;
import java.util.List;
import java.util.Map;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertNull;
import static org.junit.Assert.assertThrows;
import static org.junit.Assert.assertTrue;

/** The v1 and v2 strategies against cgroup files in a plain directory: what is written, in which order. */
public class CgroupFileFormatTest {

    private static final String UNLIMITED_V1 = "9223372036854771712";
    private static final long MIB = 1L << 20;

    @Rule
    public final TemporaryFolder tmp = new TemporaryFolder();

    private DirectoryCgroupFiles v1() throws IOException {
        return new DirectoryCgroupFiles(tmp.newFolder().toPath())
                .with("memory.limit_in_bytes", UNLIMITED_V1)
                .with("memory.soft_limit_in_bytes", UNLIMITED_V1)
                .with("memory.memsw.limit_in_bytes", UNLIMITED_V1)
                .with("memory.usage_in_bytes", Long.toString(100 * MIB))
                .with("memory.memsw.usage_in_bytes", Long.toString(120 * MIB))
                .with("memory.max_usage_in_bytes", Long.toString(130 * MIB))
                .with("memory.failcnt", "17")
                .with("memory.oom_control", "oom_kill_disable 0\nunder_oom 0\noom_kill 2")
                .with("memory.stat", "cache 1\nrss 2\ntotal_cache " + 10 * MIB + "\ntotal_rss " + 90 * MIB
                        + "\ntotal_swap " + 20 * MIB + "\ntotal_swapcached " + 3 * MIB);
    }

    private DirectoryCgroupFiles v2() throws IOException {
        return new DirectoryCgroupFiles(tmp.newFolder().toPath())
                .with("memory.max", "max")
                .with("memory.high", "max")
                .with("memory.swap.max", "max")
                .with("memory.current", Long.toString(100 * MIB))
                .with("memory.swap.current", Long.toString(20 * MIB))
                .with("memory.peak", Long.toString(130 * MIB))
                .with("memory.stat", "anon " + 90 * MIB + "\nfile " + 10 * MIB + "\nkernel 5\nswapcached " + 3 * MIB)
                .with("memory.events", "low 0\nhigh 3\nmax 17\noom 1\noom_kill 2\noom_group_kill 0")
                .with("memory.reclaim", "");
    }

    @Test
    public void v1LiftsMemswFirstAndSetsItLastAsMaxPlusSwap() throws IOException {
        DirectoryCgroupFiles cg = v1();
        new MemoryControllerV1().apply(cg, new MemorySettings(64 * MIB, 48 * MIB, 32 * MIB));
        assertEquals(List.of("memory.memsw.limit_in_bytes=-1", "memory.limit_in_bytes=67108864",
                "memory.soft_limit_in_bytes=50331648", "memory.memsw.limit_in_bytes=100663296"), cg.writes);
        MemoryKnobs k = new MemoryControllerV1().current(cg);
        assertEquals(new MemorySettings(64 * MIB, 48 * MIB, 32 * MIB), new MemorySettings(k.max(), k.high(), k.swapMax()));
        assertTrue(k.files(), k.files().contains("memory.memsw.limit_in_bytes=100663296"));
    }

    @Test
    public void v1ResetWritesMinusOneEverywhere() throws IOException {
        DirectoryCgroupFiles cg = v1();
        new MemoryControllerV1().reset(cg);
        assertEquals(List.of("memory.memsw.limit_in_bytes=-1", "memory.limit_in_bytes=-1",
                "memory.soft_limit_in_bytes=-1"), cg.writes);
        cg.with("memory.limit_in_bytes", UNLIMITED_V1).with("memory.soft_limit_in_bytes", UNLIMITED_V1)
                .with("memory.memsw.limit_in_bytes", UNLIMITED_V1);
        MemoryKnobs k = new MemoryControllerV1().current(cg);
        assertNull(k.max());
        assertNull(k.high());
        assertNull(k.swapMax());
    }

    @Test
    public void v1WithoutSwapAccountingRefusesASwapLimitButTakesTheRest() throws IOException {
        DirectoryCgroupFiles cg = v1();
        cg.without("memory.memsw.limit_in_bytes");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new MemoryControllerV1().apply(cg, new MemorySettings(64 * MIB, null, 0L)));
        assertTrue(e.getMessage(), e.getMessage().contains("swapaccount=1"));
        assertEquals("nothing written", List.of(), cg.writes);
        new MemoryControllerV1().apply(cg, new MemorySettings(64 * MIB, null, null));
        assertEquals(List.of("memory.limit_in_bytes=67108864", "memory.soft_limit_in_bytes=-1"), cg.writes);
    }

    @Test
    public void v1SwapLimitNeedsAHardLimit() throws IOException {
        DirectoryCgroupFiles cg = v1();
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new MemoryControllerV1().apply(cg, new MemorySettings(null, null, 64 * MIB)));
        assertTrue(e.getMessage(), e.getMessage().contains("give --max too"));
        assertEquals(List.of(), cg.writes);
    }

    @Test
    public void v1RefusalToReclaimIsExplained() throws IOException {
        DirectoryCgroupFiles cg = v1();
        cg.failWith.put("memory.limit_in_bytes", Errno.EBUSY);
        IOException e = assertThrows(IOException.class,
                () -> new MemoryControllerV1().apply(cg, new MemorySettings(16 * MIB, null, null)));
        assertTrue(e.getMessage(), e.getMessage().contains("could not reclaim the domain's memory below 16 MiB"
                + " (it uses 100 MiB)"));
        assertTrue(e.getMessage(), e.getMessage().contains("kept the old one"));
    }

    @Test
    public void v1Usage() throws IOException {
        MemoryUsage u = new MemoryControllerV1().usage(v1());
        assertEquals(new MemoryUsage(100 * MIB, 20 * MIB, 130 * MIB, 90 * MIB, 10 * MIB, 3 * MIB, 17, null, 2), u);
    }

    @Test
    public void v1CannotBeToldToReclaim() throws IOException {
        assertFalse(new MemoryControllerV1().canReclaim(v1()));
    }

    @Test
    public void v2WritesSwapHighMaxAndMaxToLift() throws IOException {
        DirectoryCgroupFiles cg = v2();
        new MemoryControllerV2().apply(cg, new MemorySettings(64 * MIB, null, 0L));
        assertEquals(List.of("memory.swap.max=0", "memory.high=max", "memory.max=67108864"), cg.writes);
        MemoryKnobs k = new MemoryControllerV2().current(cg);
        assertEquals(new MemorySettings(64 * MIB, null, 0L), new MemorySettings(k.max(), k.high(), k.swapMax()));
        assertEquals("memory.max=67108864, memory.high=max, memory.swap.max=0", k.files());
        cg.writes.clear();
        new MemoryControllerV2().reset(cg);
        assertEquals(List.of("memory.swap.max=max", "memory.high=max", "memory.max=max"), cg.writes);
    }

    @Test
    public void v2UsageAndReclaim() throws IOException {
        DirectoryCgroupFiles cg = v2();
        assertEquals(new MemoryUsage(100 * MIB, 20 * MIB, 130 * MIB, 90 * MIB, 10 * MIB, 3 * MIB, 17, 1L, 2),
                new MemoryControllerV2().usage(cg));
        assertTrue(new MemoryControllerV2().canReclaim(cg));
        assertTrue(new MemoryControllerV2().reclaim(cg, 16 * MIB));
        assertEquals(List.of("memory.reclaim=16777216"), cg.writes);
        cg.failWith.put("memory.reclaim", Errno.EAGAIN);
        assertFalse("EAGAIN: less than asked, not an error", new MemoryControllerV2().reclaim(cg, 16 * MIB));
        cg.failWith.put("memory.reclaim", Errno.EINVAL);
        assertThrows(IOException.class, () -> new MemoryControllerV2().reclaim(cg, 16 * MIB));
    }

    @Test
    public void v2WithoutTheMemoryControllerFailsOnlyForLimitsThatAreSet() throws IOException {
        DirectoryCgroupFiles empty = new DirectoryCgroupFiles(tmp.newFolder().toPath());
        new MemoryControllerV2().reset(empty);
        assertEquals(List.of(), empty.writes);
        IOException e = assertThrows(IOException.class,
                () -> new MemoryControllerV2().apply(empty, new MemorySettings(64 * MIB, null, null)));
        assertTrue(e.getMessage(), e.getMessage().contains("+memory"));
        assertFalse(new MemoryControllerV2().canReclaim(empty));
    }

    @Test
    public void keyedValues() {
        assertEquals(Map.of("a", 1L, "b", 22L), KeyedValues.parse("a 1\nb 22\nsome text here\nc x\n"));
    }
}
