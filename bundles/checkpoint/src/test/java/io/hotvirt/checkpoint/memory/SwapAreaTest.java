package io.hotvirt.checkpoint.memory;

import org.junit.Test;

import java.util.List;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

public class SwapAreaTest {

    @Test
    public void parsesProcSwaps() {
        String text = "Filename\t\t\t\tType\t\tSize\t\tUsed\t\tPriority\n"
                + "/var/tmp/a\\040b.swap                   file\t\t65532\t\t1024\t\t-2\n"
                + "/dev/zram0                              partition\t4194300\t\t0\t\t100\n";
        List<SwapArea> areas = SwapArea.parse(text);
        assertEquals(List.of(new SwapArea(0, "/var/tmp/a b.swap", "file", 65532, 1024, -2),
                new SwapArea(1, "/dev/zram0", "partition", 4194300, 0, 100)), areas);
        assertTrue(areas.get(1).compressed());
    }

    @Test
    public void noSwap() {
        assertEquals(List.of(), SwapArea.parse("Filename\t\t\t\tType\t\tSize\t\tUsed\t\tPriority\n"));
    }

    @Test
    public void typesBeyondTheListAreRefused() {
        SwapAreas areas = new SwapAreas(List.of(new SwapArea(0, "/var/tmp/x", "file", 100, 0, -2)), null);
        assertTrue(areas.reader(3).isEmpty());
        assertTrue(areas.whyNot(3), areas.whyNot(3).contains("swapped off"));
        SwapAreas zswap = new SwapAreas(List.of(new SwapArea(0, "/var/tmp/x", "file", 100, 0, -2)), "zswap is enabled");
        assertTrue(zswap.reader(0).isEmpty());
    }
}
