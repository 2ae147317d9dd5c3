package io.hotvirt.memory.reclaim;

import io.hotvirt.linux.process.ProcessMadvise;
import io.hotvirt.memory.pages.PageTally;

import java.util.ArrayList;
import java.util.List;

/**
 * Collects the address ranges worth paging out of one process: runs of consecutive pages that are
 * resident, private anonymous and mapped by this process only (the ones MADV_PAGEOUT can move to
 * swap), up to a budget of pages. Fed chunk by chunk with raw pagemap entries, in address order.
 */
public final class PageoutPlan {

    private final long pageSize;
    private long budget;
    private final List<ProcessMadvise.Range> ranges = new ArrayList<>();
    private long runStart = -1;
    private long runPages;
    private long pages;

    /** @param budgetPages the most pages to take; {@link Long#MAX_VALUE} for all */
    public PageoutPlan(long pageSize, long budgetPages) {
        this.pageSize = pageSize;
        this.budget = budgetPages;
    }

    /** Adds the entries of {@code count} pages from {@code firstAddress}. A gap in addresses ends a run. */
    public void add(long firstAddress, long[] raw, int count) {
        if (runStart >= 0 && runStart + runPages * pageSize != firstAddress) {
            endRun();
        }
        for (int i = 0; i < count && budget > 0; i++) {
            if (PageTally.swappable(raw[i])) {
                if (runStart < 0) {
                    runStart = firstAddress + i * pageSize;
                }
                runPages++;
                budget--;
            } else if (runStart >= 0) {
                endRun();
            }
        }
        if (budget == 0) {
            endRun();
        }
    }

    private void endRun() {
        if (runStart >= 0) {
            ranges.add(new ProcessMadvise.Range(runStart, runPages * pageSize));
            pages += runPages;
        }
        runStart = -1;
        runPages = 0;
    }

    /** The pages left in the budget, for the next process. */
    public long budgetLeft() {
        return budget;
    }

    /** The ranges collected; ends the current run. */
    public List<ProcessMadvise.Range> ranges() {
        endRun();
        return List.copyOf(ranges);
    }

    /** The pages in {@link #ranges()}. */
    public long pages() {
        endRun();
        return pages;
    }
}
