package io.hotvirt.memory.pages;

import io.hotvirt.linux.process.ProcessMadvise;
import io.hotvirt.memory.reclaim.PageoutPlan;
import org.junit.Test;

import java.util.List;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;

/** Counting and planning from synthetic pagemap entries. */
public class PageTallyTest {

    static final long PRESENT = 1L << 63;
    static final long SWAPPED = 1L << 62;
    static final long FILE = 1L << 61;
    static final long EXCLUSIVE = 1L << 56;
    static final long ANON = PRESENT | EXCLUSIVE | 0x1234; // a PFN in the low bits
    static final long SHARED_ANON = PRESENT | 0x99;        // mapped by a forked child too
    static final long FILE_PAGE = PRESENT | FILE;
    static final long IN_SWAP = SWAPPED | (77L << 5) | 1;  // slot 77 of swap area 1
    static final long NOTHING = 0;

    @Test
    public void countsResidentSwappedAndNotPresentAnonymousAndFile() {
        long[] raw = {ANON, ANON, SHARED_ANON, FILE_PAGE, IN_SWAP, NOTHING, NOTHING, 0xdead};
        PageCounts c = new PageTally().add(raw, 7).counts();
        assertEquals(7, c.pages());
        assertEquals(4, c.resident());
        assertEquals(3, c.residentAnon());
        assertEquals(1, c.residentFile());
        assertEquals(1, c.swapped());
        assertEquals(2, c.notPresent());
        assertEquals(2, c.exclusive());
    }

    @Test
    public void countsAddUp() {
        PageCounts a = new PageTally().add(new long[]{ANON, IN_SWAP}, 2).counts();
        PageCounts b = new PageTally().add(new long[]{FILE_PAGE, NOTHING, NOTHING}, 3).counts();
        PageCounts sum = a.plus(b);
        assertEquals(new PageCounts(5, 2, 1, 1, 1, 1), sum);
        assertEquals(2, sum.notPresent());
        assertEquals(sum, PageCounts.ZERO.plus(sum));
    }

    @Test
    public void onlyExclusiveResidentPrivateAnonymousPagesCanBePagedOut() {
        assertTrue(PageTally.swappable(ANON));
        assertFalse(PageTally.swappable(SHARED_ANON));
        assertFalse(PageTally.swappable(FILE_PAGE));
        assertFalse(PageTally.swappable(IN_SWAP));
        assertFalse(PageTally.swappable(NOTHING));
    }

    @Test
    public void aPlanCoalescesRunsOfSwappablePages() {
        PageoutPlan plan = new PageoutPlan(4096, Long.MAX_VALUE);
        plan.add(0x10000, new long[]{ANON, ANON, NOTHING, ANON, IN_SWAP, ANON, ANON, ANON}, 8);
        plan.add(0x18000, new long[]{ANON, FILE_PAGE}, 2); // continues the run at 0x15000
        plan.add(0x40000, new long[]{ANON}, 1);           // a gap in addresses ends a run
        assertEquals(List.of(new ProcessMadvise.Range(0x10000, 0x2000), new ProcessMadvise.Range(0x13000, 0x1000),
                new ProcessMadvise.Range(0x15000, 0x4000), new ProcessMadvise.Range(0x40000, 0x1000)), plan.ranges());
        assertEquals(8, plan.pages());
    }

    @Test
    public void aPlanStopsAtItsBudget() {
        PageoutPlan plan = new PageoutPlan(4096, 3);
        plan.add(0x10000, new long[]{ANON, ANON, NOTHING, ANON, ANON, ANON}, 6);
        plan.add(0x20000, new long[]{ANON}, 1);
        assertEquals(List.of(new ProcessMadvise.Range(0x10000, 0x2000), new ProcessMadvise.Range(0x13000, 0x1000)),
                plan.ranges());
        assertEquals(3, plan.pages());
        assertEquals(0, plan.budgetLeft());
        assertEquals(List.of(), new PageoutPlan(4096, 10).ranges());
    }
}
