package io.hotvirt.memory.reclaim;

import io.hotvirt.memory.MemoryUsage;
import io.hotvirt.memory.pages.PageCounts;

import java.util.List;

/**
 * What a reclaim did, measured from the page tables before and after.
 *
 * @param method        how: {@code memory.reclaim} or {@code process_madvise(MADV_PAGEOUT)}
 * @param requested     the bytes asked for, or {@code null} for "as much as possible"
 * @param processes     processes of the domain that were reclaimed from
 * @param before        the domain's pages before
 * @param after         the domain's pages after
 * @param pageSize      bytes per page
 * @param usageBefore   the cgroup's accounting before (null if unreadable)
 * @param usageAfter    the cgroup's accounting after (null if unreadable). Pages paged out are
 *                      written to swap at once but may stay charged as swap cache until the
 *                      kernel needs the memory.
 * @param complete      false if the kernel reclaimed less than asked
 * @param notes         things a person should know: no swap, skipped ranges, vanished processes
 */
public record ReclaimResult(String method, Long requested, int processes, PageCounts before, PageCounts after,
                            long pageSize, MemoryUsage usageBefore, MemoryUsage usageAfter, boolean complete, List<String> notes) {

    public ReclaimResult {
        notes = List.copyOf(notes);
    }

    /** Pages that left RAM: resident before − after (negative if the domain grew meanwhile). */
    public long pagesMoved() {
        return before.resident() - after.resident();
    }

    /** Pages that went to swap: swapped after − before. */
    public long pagesSwappedOut() {
        return after.swapped() - before.swapped();
    }
}
