package io.hotvirt.memory;

import org.junit.Test;

import java.util.List;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

public class LimitWarningsTest {

    private static final long MIB = 1L << 20;
    private static final MemoryUsage USING_100M = new MemoryUsage(100 * MIB, 20 * MIB, null, null, null, null, 0, null, 0);
    private static final HostMemory NO_SWAP = new HostMemory(1L << 34, 0, 0);
    private static final HostMemory SWAP = new HostMemory(1L << 34, 1L << 30, 512 * MIB);

    @Test
    public void aHardLimitBelowTheUseWarnsOfReclaimAndOomKills() {
        List<String> v2 = LimitWarnings.check("v2", MemorySettings.NONE, new MemorySettings(64 * MIB, null, null),
                USING_100M, SWAP);
        assertEquals(1, v2.size());
        assertTrue(v2.get(0), v2.get(0).startsWith("--max 64 MiB is below the 100 MiB the domain uses now"));
        assertTrue(v2.get(0), v2.get(0).contains("512 MiB of swap free"));
        assertTrue(v2.get(0), v2.get(0).contains("OOM-killing"));
        List<String> v1 = LimitWarnings.check("v1", MemorySettings.NONE, new MemorySettings(64 * MIB, null, null),
                USING_100M, NO_SWAP);
        assertTrue(v1.get(0), v1.get(0).contains("no swap is enabled"));
        assertTrue(v1.get(0), v1.get(0).contains("refuses it and nothing changes"));
    }

    @Test
    public void aHighLimitBelowTheUseWarnsOfThrottling() {
        List<String> v2 = LimitWarnings.check("v2", MemorySettings.NONE, new MemorySettings(null, 50 * MIB, null),
                USING_100M, SWAP);
        assertTrue(v2.get(0), v2.get(0).contains("throttles") && v2.get(0).contains("nothing is killed"));
        List<String> v1 = LimitWarnings.check("v1", MemorySettings.NONE, new MemorySettings(null, 50 * MIB, null),
                USING_100M, SWAP);
        assertTrue(v1.get(0), v1.get(0).contains("soft limit"));
    }

    @Test
    public void aSwapLimitBelowTheSwapInUse() {
        List<String> v2 = LimitWarnings.check("v2", MemorySettings.NONE, new MemorySettings(null, null, 10 * MIB),
                USING_100M, SWAP);
        assertTrue(v2.get(0), v2.get(0).startsWith("--swap-max 10 MiB is below the 20 MiB of swap"));
        assertEquals(List.of(), LimitWarnings.check("v2", MemorySettings.NONE, new MemorySettings(null, null, 0L),
                new MemoryUsage(100 * MIB, 0L, null, null, null, null, 0, null, 0), SWAP));
        List<String> v1 = LimitWarnings.check("v1", MemorySettings.NONE, new MemorySettings(110 * MIB, null, 5 * MIB),
                USING_100M, SWAP);
        assertEquals(v1.toString(), 1, v1.size());
        assertTrue(v1.get(0), v1.get(0).contains("plus --swap-max 5 MiB is below the 120 MiB of memory and swap"));
    }

    @Test
    public void limitsAboveTheUseOrUnchangedAreNotJudged() {
        assertEquals(List.of(), LimitWarnings.check("v2", MemorySettings.NONE,
                new MemorySettings(128 * MIB, 128 * MIB, 64 * MIB), USING_100M, SWAP));
        MemorySettings atLimit = new MemorySettings(64 * MIB, null, null);
        assertEquals("a domain at its limit can get a new high limit", List.of(),
                LimitWarnings.check("v2", atLimit, atLimit.withHigh(200 * MIB), USING_100M, SWAP));
        assertEquals(List.of(), LimitWarnings.check("v1", MemorySettings.NONE, MemorySettings.NONE, USING_100M, SWAP));
    }
}
