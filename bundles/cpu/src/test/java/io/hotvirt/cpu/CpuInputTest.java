package io.hotvirt.cpu;

import org.junit.Test;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertNull;
import static org.junit.Assert.assertTrue;
import static org.junit.Assert.fail;

public class CpuInputTest {

    private final CpuInput twoCpus = new CpuInput(CpuList.parse("0-1"));

    @Test
    public void cpus() {
        assertEquals(0.2, twoCpus.cpus("0.2"), 0);
        assertEquals(1.5, twoCpus.cpus(" 1.5 "), 0);
        assertEquals(2.0, twoCpus.cpus("2"), 0);
        assertEquals(0.5, twoCpus.cpus(".5"), 0);
        assertEquals(0.01, twoCpus.cpus("0.01"), 0);
        assertNull(twoCpus.cpus("max"));
        assertNull(twoCpus.cpus("unlimited"));
    }

    @Test
    public void cpusRefused() {
        refused(() -> twoCpus.cpus("0"), "would stop");
        refused(() -> twoCpus.cpus("0.0"), "would stop");
        refused(() -> twoCpus.cpus("-1"), "would stop");
        refused(() -> twoCpus.cpus("-0.5"), "would stop");
        refused(() -> twoCpus.cpus("NaN"), "not a number");
        refused(() -> twoCpus.cpus("Infinity"), "not a number");
        refused(() -> twoCpus.cpus("1e3"), "not a number");
        refused(() -> twoCpus.cpus("1.5d"), "not a number");
        refused(() -> twoCpus.cpus("0x10"), "not a number");
        refused(() -> twoCpus.cpus(""), "not a number");
        refused(() -> twoCpus.cpus("0.005"), "smallest");
        refused(() -> twoCpus.cpus("2.5"), "more than the 2 CPUs online (0-1)");
        refused(() -> twoCpus.cpus("1000000"), "more than the 2 CPUs online");
        refused(() -> twoCpus.cpus("99999999999999999999"), "more than the 2 CPUs online");
    }

    @Test
    public void weight() {
        assertEquals(Integer.valueOf(1), twoCpus.weight("1"));
        assertEquals(Integer.valueOf(10_000), twoCpus.weight("10000"));
        assertNull(twoCpus.weight("default"));
        refused(() -> twoCpus.weight("0"), "1..10000");
        refused(() -> twoCpus.weight("10001"), "1..10000");
        refused(() -> twoCpus.weight("-3"), "not a whole number");
        refused(() -> twoCpus.weight("1.5"), "not a whole number");
        refused(() -> twoCpus.weight("99999999999"), "not a whole number");
    }

    @Test
    public void pin() {
        assertEquals("0-1", twoCpus.pin("0,1").toString());
        assertEquals("1", twoCpus.pin("1").toString());
        assertNull(twoCpus.pin("all"));
        refused(() -> twoCpus.pin("2"), "CPU 2 does not exist or is offline; the online CPUs are 0-1");
        refused(() -> twoCpus.pin("0-3"), "CPUs 2-3 do not exist");
        refused(() -> twoCpus.pin(""), "at least one CPU");
        refused(() -> twoCpus.pin("one"), "not a CPU list");
    }

    @Test
    public void onlineWithHoles() {
        CpuInput input = new CpuInput(CpuList.parse("0,2-3"));
        refused(() -> input.pin("1"), "CPU 1 does not exist or is offline; the online CPUs are 0,2-3");
        assertEquals(3.0, input.cpus("3"), 0);
    }

    @Test
    public void storedSettingsCheckedAgainstThisMachine() {
        refused(() -> twoCpus.check(new CpuSettings(4.0, null, null)), "more than the 2 CPUs online");
        refused(() -> twoCpus.check(new CpuSettings(null, null, CpuList.of(5))), "CPU 5 does not exist");
        twoCpus.check(new CpuSettings(1.0, 100, CpuList.of(0)));
    }

    @Test
    public void notesForLimitAbovePin() {
        assertEquals(1, twoCpus.notes(new CpuSettings(2.0, null, CpuList.of(1))).size());
        assertTrue(twoCpus.notes(new CpuSettings(1.0, null, CpuList.of(1))).isEmpty());
    }

    private static void refused(Runnable r, String expected) {
        try {
            r.run();
            fail("accepted; expected an error with '" + expected + "'");
        } catch (IllegalArgumentException e) {
            assertTrue("'" + e.getMessage() + "' lacks '" + expected + "'", e.getMessage().contains(expected));
        }
    }
}
