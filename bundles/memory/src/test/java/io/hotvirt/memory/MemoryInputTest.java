package io.hotvirt.memory;

import org.junit.Test;

import java.util.List;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertNull;
import static org.junit.Assert.assertThrows;
import static org.junit.Assert.assertTrue;

public class MemoryInputTest {

    private static final HostMemory HOST = new HostMemory(24L << 30, 0, 0);
    private final MemoryInput input = new MemoryInput(HOST);

    @Test
    public void limitsAreSizesOrNoLimit() {
        assertEquals(64L << 20, (long) input.max("64M"));
        assertEquals(48L << 20, (long) input.high("48M"));
        assertNull(input.max("max"));
        assertNull(input.high("none"));
        assertNull(input.swapMax("max"));
        assertEquals(0L, (long) input.swapMax("0"));
    }

    @Test
    public void zeroNegativeAndTinyLimitsAreRefused() {
        assertMessage("--max 0 would leave the domain no memory", () -> input.max("0"));
        assertMessage("--high 0 would leave", () -> input.high("0K"));
        assertMessage("--max -64M is negative", () -> input.max("-64M"));
        assertMessage("--swap-max -1 is negative", () -> input.swapMax("-1"));
        assertMessage("smaller than one page", () -> input.max("100"));
        assertMessage("--high 'lots' is not a size", () -> input.high("lots"));
    }

    private static void assertMessage(String expected, Runnable r) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, r::run);
        assertTrue(e.getMessage(), e.getMessage().contains(expected));
    }

    @Test
    public void notesSettingsThatDoNotDoWhatTheySeem() {
        List<String> notes = input.notes(new MemorySettings(32L << 30, 40L << 30, 1L << 30));
        assertEquals(notes.toString(), 3, notes.size());
        assertTrue(notes.get(0).contains("more than the host's 24 GiB"));
        assertTrue(notes.get(1).contains("does nothing"));
        assertTrue(notes.get(2).contains("no swap is enabled"));
        assertTrue(input.notes(new MemorySettings(64L << 20, null, null)).get(0).contains("OOM-kills"));
        assertEquals(List.of(), new MemoryInput(new HostMemory(24L << 30, 1L << 30, 1L << 30))
                .notes(new MemorySettings(64L << 20, 32L << 20, 1L << 20)));
    }

    @Test
    public void hostMemoryFromMeminfo() {
        HostMemory h = HostMemory.parse("MemTotal:       24576000 kB\nMemFree: 1 kB\nSwapTotal:        262140 kB\n"
                + "SwapFree:         262000 kB\nHugePages_Total:       0\n");
        assertEquals(24576000L * 1024, h.memTotal());
        assertEquals(262140L * 1024, h.swapTotal());
        assertEquals(262000L * 1024, h.swapFree());
        assertEquals("no swap enabled", HOST.describeSwap());
    }
}
