package io.hotvirt.memory;

import org.junit.Test;

import java.util.Map;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertThrows;
import static org.junit.Assert.assertTrue;

public class MemorySettingsTest {

    @Test
    public void storesWholeBytesAndLeavesUnlimitedOut() {
        MemorySettings s = new MemorySettings(64L << 20, null, 0L);
        assertEquals(Map.of("max", "67108864", "swapMax", "0"), s.toMap());
        assertEquals(s, MemorySettings.fromMap(s.toMap()));
        assertEquals(Map.of(), MemorySettings.NONE.toMap());
        assertEquals(MemorySettings.NONE, MemorySettings.fromMap(Map.of()));
        assertTrue(MemorySettings.NONE.isUnlimited());
    }

    @Test
    public void readsSettingsWrittenByHandAndIgnoresUnknownKeys() {
        assertEquals(new MemorySettings(64L << 20, 32L << 20, null),
                MemorySettings.fromMap(Map.of("max", "64M", "high", "32MiB", "swapMax", "max", "later", "x")));
        assertEquals(MemorySettings.NONE, MemorySettings.fromMap(Map.of("max", " ", "high", "none")));
    }

    @Test
    public void refusesStoredValuesThatDoNotParse() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> MemorySettings.fromMap(Map.of("max", "lots")));
        assertTrue(e.getMessage(), e.getMessage().contains("stored max"));
        assertThrows(IllegalArgumentException.class, () -> MemorySettings.fromMap(Map.of("high", "0")));
        assertThrows(IllegalArgumentException.class, () -> MemorySettings.fromMap(Map.of("swapMax", "-1")));
    }

    @Test
    public void limitsMustBePositiveAndSwapNotNegative() {
        assertThrows(IllegalArgumentException.class, () -> new MemorySettings(0L, null, null));
        assertThrows(IllegalArgumentException.class, () -> new MemorySettings(null, -1L, null));
        assertThrows(IllegalArgumentException.class, () -> new MemorySettings(null, null, -1L));
        assertEquals(0L, (long) new MemorySettings(null, null, 0L).swapMax());
    }

    @Test
    public void withersChangeOnePart() {
        MemorySettings s = MemorySettings.NONE.withMax(1L << 30).withHigh(1L << 29).withSwapMax(1L << 28);
        assertEquals(new MemorySettings(1L << 30, 1L << 29, 1L << 28), s);
        assertEquals(new MemorySettings(null, 1L << 29, 1L << 28), s.withMax(null));
        assertEquals("max 1 GiB, high 512 MiB, swap max 256 MiB", s.describe());
        assertEquals("max unlimited, high unlimited, swap max unlimited", MemorySettings.NONE.describe());
    }
}
