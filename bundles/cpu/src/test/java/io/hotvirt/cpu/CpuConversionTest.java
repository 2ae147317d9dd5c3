package io.hotvirt.cpu;

import org.junit.Test;

import java.util.Map;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertNull;
import static org.junit.Assert.assertTrue;
import static org.junit.Assert.fail;

public class CpuConversionTest {

    @Test
    public void cpusToQuota() {
        assertEquals(20_000, CpuBandwidth.quotaMicros(0.2));
        assertEquals(150_000, CpuBandwidth.quotaMicros(1.5));
        assertEquals(200_000, CpuBandwidth.quotaMicros(2));
        assertEquals(1_000, CpuBandwidth.quotaMicros(0.01));
        assertEquals(12_346, CpuBandwidth.quotaMicros(0.123456));
        assertEquals(0.2, CpuBandwidth.cpus(20_000, 100_000), 1e-12);
    }

    @Test
    public void quotaRefusesNonsense() {
        for (double bad : new double[] {0, -1, Double.NaN, Double.POSITIVE_INFINITY, Double.NEGATIVE_INFINITY}) {
            try {
                CpuBandwidth.quotaMicros(bad);
                fail("took " + bad);
            } catch (IllegalArgumentException expected) {
                // refused
            }
        }
    }

    @Test
    public void formatsWithoutTrailingZeros() {
        assertEquals("0.2", CpuBandwidth.format(0.2));
        assertEquals("2", CpuBandwidth.format(2.0));
        assertEquals("1.5", CpuBandwidth.format(CpuBandwidth.round(1.5)));
        assertEquals("0.12346", CpuBandwidth.format(CpuBandwidth.round(0.123456)));
    }

    @Test
    public void weightToShares() {
        assertEquals(1024, CpuWeight.shares(100));
        assertEquals(2048, CpuWeight.shares(200));
        assertEquals(10, CpuWeight.shares(1));
        assertEquals(102_400, CpuWeight.shares(10_000));
        assertEquals(512, CpuWeight.shares(50));
    }

    @Test
    public void sharesBackToWeight() {
        assertEquals(100, CpuWeight.fromShares(1024));
        assertEquals(200, CpuWeight.fromShares(2048));
        assertEquals(1, CpuWeight.fromShares(2));
        assertEquals(10_000, CpuWeight.fromShares(262_144));
    }

    @Test
    public void weightOutOfRange() {
        for (int bad : new int[] {0, -5, 10_001}) {
            try {
                CpuWeight.shares(bad);
                fail("took " + bad);
            } catch (IllegalArgumentException e) {
                assertTrue(e.getMessage(), e.getMessage().contains("1 and 10000"));
            }
        }
    }

    @Test
    public void settingsRoundTrip() {
        CpuSettings s = new CpuSettings(0.2, 300, CpuList.parse("1"));
        assertEquals(Map.of("cpus", "0.2", "weight", "300", "pin", "1"), s.toMap());
        assertEquals(s, CpuSettings.fromMap(s.toMap()));
        assertEquals(Map.of(), CpuSettings.NONE.toMap());
        assertEquals(CpuSettings.NONE, CpuSettings.fromMap(Map.of("future-key", "x")));
        assertEquals("cpus 0.2, weight 300, pin 1", s.describe());
        assertEquals("cpus unlimited, weight 100, pin all", CpuSettings.NONE.describe());
    }

    @Test(expected = IllegalArgumentException.class)
    public void storedGarbageIsRefused() {
        CpuSettings.fromMap(Map.of("cpus", "fast"));
    }

    @Test
    public void partialUpdatesKeepTheRest() {
        CpuSettings s = CpuSettings.NONE.withCpus(1.5).withWeight(50);
        assertEquals(Double.valueOf(1.5), s.cpus());
        s = s.withCpus(null);
        assertNull(s.cpus());
        assertEquals(Integer.valueOf(50), s.weight());
    }

    @Test
    public void statParsing() {
        Map<String, Long> stat = CpuStat.parse("nr_periods 12\nnr_throttled 3\nthrottled_time 456789\nbad line here\n"
                + "x y\n");
        assertEquals(Long.valueOf(12), stat.get("nr_periods"));
        assertEquals(Long.valueOf(3), stat.get("nr_throttled"));
        assertEquals(Long.valueOf(456_789), stat.get("throttled_time"));
        assertEquals(3, stat.size());
    }

    @Test
    public void usageArithmetic() {
        CpuUsage a = new CpuUsage(1_000_000_000L, 10, 2, 50_000_000L);
        CpuUsage b = new CpuUsage(1_200_000_000L, 20, 10, 850_000_000L);
        CpuUsage d = b.since(a);
        assertEquals(200_000_000L, d.usageNanos());
        assertEquals(20.0, d.percentOfOneCpu(1_000_000_000L), 1e-9);
        assertEquals(80.0, d.throttledPercent(), 1e-9);
        assertEquals(0.0, new CpuUsage(0, 0, 0, 0).throttledPercent(), 0);
    }
}
