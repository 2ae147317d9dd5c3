package io.hotvirt.cpu;

import org.junit.Test;

import static org.junit.Assert.assertArrayEquals;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;
import static org.junit.Assert.fail;

public class CpuListTest {

    @Test
    public void parsesIdsAndRanges() {
        CpuList list = CpuList.parse("0-1,3");
        assertArrayEquals(new int[] {0, 1, 3}, list.ids());
        assertEquals(3, list.count());
        assertEquals("0-1,3", list.toString());
    }

    @Test
    public void canonicalFormMergesAndSorts() {
        assertEquals("0-3,6", CpuList.parse("3,2,0-1,6,1").toString());
        assertEquals("5", CpuList.parse(" 5-5 \n").toString());
        assertEquals("0-7", CpuList.parse("0-3,4-7").toString());
    }

    @Test
    public void kernelFileWithNewline() {
        assertEquals(CpuList.of(0, 1), CpuList.parse("0-1\n"));
    }

    @Test
    public void blankIsEmpty() {
        assertTrue(CpuList.parse("").isEmpty());
        assertTrue(CpuList.parse("\n").isEmpty());
        assertEquals("", CpuList.empty().toString());
    }

    @Test
    public void setOperations() {
        CpuList online = CpuList.parse("0-1");
        assertTrue(online.containsAll(CpuList.parse("1")));
        assertFalse(online.containsAll(CpuList.parse("1-2")));
        assertEquals("2-3", CpuList.parse("0-3").minus(online).toString());
        assertTrue(online.contains(0));
        assertFalse(online.contains(-1));
    }

    @Test
    public void refusesWhatIsNotAList() {
        for (String bad : new String[] {"a", "1,", ",1", "1--2", "-1", "1-", "0x1", "1.5", "1 2", "+1", "3-1",
                "99999", "8192"}) {
            try {
                CpuList.parse(bad);
                fail("parsed '" + bad + "'");
            } catch (IllegalArgumentException expected) {
                assertTrue(expected.getMessage(), expected.getMessage().contains(bad.strip())
                        || expected.getMessage().contains("8192") || expected.getMessage().contains("3-1"));
            }
        }
    }

    @Test
    public void backwardsRangeSaysHowToWriteIt() {
        try {
            CpuList.parse("3-1");
            fail();
        } catch (IllegalArgumentException e) {
            assertTrue(e.getMessage(), e.getMessage().contains("1-3"));
        }
    }
}
