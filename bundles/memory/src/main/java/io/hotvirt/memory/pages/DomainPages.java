package io.hotvirt.memory.pages;

import java.util.List;

/**
 * The page-table view of a domain: every process that could be read, with the domain total.
 *
 * @param pageSize  bytes per page
 * @param processes the processes, by pid
 * @param vanished  processes that exited while they were read (left out of the total)
 */
public record DomainPages(long pageSize, List<ProcessPages> processes, PageCounts total, List<Integer> vanished) {

    public DomainPages {
        processes = List.copyOf(processes);
        vanished = List.copyOf(vanished);
    }

    public long bytes(long pages) {
        return pages * pageSize;
    }
}
