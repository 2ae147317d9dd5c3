package io.hotvirt.memory;

import org.junit.Test;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertThrows;
import static org.junit.Assert.assertTrue;

public class SizesTest {

    @Test
    public void parsesBinaryUnitsHoweverSpelt() {
        assertEquals(64L << 20, Sizes.parse("64M", "--max"));
        assertEquals(64L << 20, Sizes.parse("64m", "--max"));
        assertEquals(64L << 20, Sizes.parse("64MB", "--max"));
        assertEquals(64L << 20, Sizes.parse("64MiB", "--max"));
        assertEquals(64L << 20, Sizes.parse("64 MiB", "--max"));
        assertEquals(512L << 10, Sizes.parse("512KiB", "--max"));
        assertEquals(512L << 10, Sizes.parse("512k", "--max"));
        assertEquals(3L << 40, Sizes.parse("3T", "--max"));
        assertEquals(1L << 60, Sizes.parse("1E", "--max"));
        assertEquals(4096, Sizes.parse("4096", "--max"));
        assertEquals(4096, Sizes.parse("4096B", "--max"));
        assertEquals(4096, Sizes.parse(" 4096 ", "--max"));
        assertEquals(0, Sizes.parse("0", "--swap-max"));
    }

    @Test
    public void fractionsRoundDownToWholeBytes() {
        assertEquals(1536L << 20, Sizes.parse("1.5G", "--max"));
        assertEquals(512L << 20, Sizes.parse(".5G", "--max"));
        assertEquals(1, Sizes.parse("1.9", "--max"));
        assertEquals(1024 + 102, Sizes.parse("1.1K", "--max"));
    }

    @Test
    public void unlimitedWords() {
        assertTrue(Sizes.isUnlimited("max"));
        assertTrue(Sizes.isUnlimited("NONE"));
        assertTrue(Sizes.isUnlimited(" unlimited "));
        assertFalse(Sizes.isUnlimited("64M"));
    }

    @Test
    public void refusesWhatIsNotASizeSayingWhy() {
        assertMessage("--max '64X' is not a size", "64X");
        assertMessage("is not a size", "abc");
        assertMessage("is not a size", "1e9");
        assertMessage("is not a size", "NaN");
        assertMessage("is not a size", "1,5G");
        assertMessage("is not a size", "64 M B");
        assertMessage("is not a size", "0x100");
        assertMessage("--max -1 is negative", "-1");
        assertMessage("is negative", "-64M");
        assertMessage("needs a size", "");
        assertMessage("needs a size", "  ");
        assertMessage("is too large", "8E");
        assertMessage("is too large", "99999999999999999999");
        assertMessage("is not a size", "1234567890123456789012345678901234567890");
    }

    private static void assertMessage(String expected, String input) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Sizes.parse(input, "--max"));
        assertTrue(e.getMessage(), e.getMessage().contains(expected));
    }

    @Test
    public void formatsAsEveryCommandDoesOrUnlimited() {
        // the format itself is io.hotvirt.shell.Units#bytes (UnitsTest); null is a limit that is not set
        assertEquals("64 MiB", Sizes.format(64L << 20));
        assertEquals("130.2 MiB", Sizes.format(136_524_595L));
        assertEquals("unlimited", Sizes.format((Long) null));
    }

    @Test
    public void exactFormsReadBack() {
        for (long bytes : new long[]{0, 1, 1000, 4096, 64L << 20, 1536L << 20, 3L << 40, Long.MAX_VALUE}) {
            assertEquals(bytes, Sizes.parse(Sizes.exact(bytes), "x"));
        }
        assertEquals("64M", Sizes.exact(64L << 20));
        assertEquals("1536M", Sizes.exact(1536L << 20));
    }
}
