package io.hotvirt.memory.reclaim;

import io.hotvirt.linux.cgroup.CgroupFiles;
import io.hotvirt.linux.proc.MemoryMapping;
import io.hotvirt.linux.proc.Procfs;
import io.hotvirt.linux.process.ProcessMadvise;
import io.hotvirt.memory.HostMemory;
import io.hotvirt.memory.MemoryUsage;
import io.hotvirt.memory.Sizes;
import io.hotvirt.memory.kernel.MemoryController;
import io.hotvirt.memory.pages.DomainPages;
import io.hotvirt.memory.pages.PageCounter;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.function.Supplier;

/**
 * Pushes a domain's pages out of RAM. Where the cgroup can be told to reclaim (v2 memory.reclaim)
 * the kernel picks the coldest pages of the whole cgroup, page cache included; elsewhere every
 * process is given MADV_PAGEOUT with process_madvise(2) over the resident private anonymous pages
 * of its private anonymous areas (heap, stacks, anonymous mappings), which go to swap. Either way,
 * what moved is measured from the page tables before and after.
 */
public final class Reclaimer {

    public static final String CGROUP = "memory.reclaim";
    public static final String PAGEOUT = "process_madvise(MADV_PAGEOUT)";

    private final PageCounter counter;
    private final MemoryController controller;

    public Reclaimer(PageCounter counter, MemoryController controller) {
        this.counter = counter;
        this.controller = controller;
    }

    /**
     * @param pids  the domain's processes (read again after the reclaim)
     * @param bytes the most to reclaim, or null for as much as possible
     */
    public ReclaimResult reclaim(CgroupFiles cgroup, Supplier<Collection<Integer>> pids, Long bytes)
            throws IOException {
        List<String> notes = new ArrayList<>();
        DomainPages before = counter.count(pids.get());
        MemoryUsage usageBefore = usage(cgroup);
        boolean complete;
        String method;
        if (controller.canReclaim(cgroup)) {
            method = CGROUP;
            long amount = bytes != null ? bytes : usageBefore == null ? 0 : usageBefore.current();
            complete = amount == 0 || controller.reclaim(cgroup, amount);
        } else {
            method = PAGEOUT;
            complete = pageout(before, bytes, notes);
        }
        DomainPages after = counter.count(pids.get());
        if (HostMemory.read().swapTotal() == 0) {
            notes.add("no swap is enabled on this host: anonymous pages cannot leave RAM, only page cache can be"
                    + " dropped (enable swap, e.g. a swap file with swapon, and try again)");
        }
        List<Integer> vanished = new ArrayList<>(before.vanished());
        after.vanished().stream().filter(p -> !vanished.contains(p)).forEach(vanished::add);
        if (!vanished.isEmpty()) {
            notes.add("processes that exited meanwhile are not counted: " + vanished);
        }
        return new ReclaimResult(method, bytes, before.processes().size(), before.total(), after.total(),
                before.pageSize(), usageBefore, usage(cgroup), complete, notes);
    }

    /** MADV_PAGEOUT over each process's swappable pages; returns false if the budget was not used up. */
    private boolean pageout(DomainPages before, Long bytes, List<String> notes) throws IOException {
        long pageSize = before.pageSize();
        long budget = bytes == null ? Long.MAX_VALUE : (bytes + pageSize - 1) / pageSize;
        long planned = 0;
        int skipped = 0;
        for (var process : before.processes()) {
            if (budget <= 0) {
                break;
            }
            PageoutPlan plan = new PageoutPlan(pageSize, budget);
            try {
                counter.count(process.pid(), (MemoryMapping m, long at, long[] raw, int n) -> {
                    if (m.isAnonymous() && m.isPrivate()) {
                        plan.add(at, raw, n);
                    }
                });
                List<ProcessMadvise.Range> ranges = plan.ranges();
                if (ranges.isEmpty()) {
                    continue;
                }
                ProcessMadvise.Result r = ProcessMadvise.advise(process.pid(), ranges, ProcessMadvise.MADV_PAGEOUT);
                skipped += r.skipped().size();
            } catch (IOException e) {
                if (Procfs.stat(process.pid()).map(s -> !s.dead()).orElse(false)) {
                    throw e;
                }
                continue; // exited meanwhile
            }
            planned += plan.pages();
            budget = plan.budgetLeft();
        }
        if (skipped > 0) {
            notes.add(skipped + " address range" + (skipped == 1 ? " was" : "s were")
                    + " refused by the kernel (unmapped meanwhile, or locked) and skipped");
        }
        if (bytes != null && budget > 0) {
            notes.add("only " + Sizes.format(planned * pageSize) + " of private anonymous memory was in RAM to page"
                    + " out, of the " + Sizes.format(bytes) + " asked for");
            return false;
        }
        return true;
    }

    private MemoryUsage usage(CgroupFiles cgroup) {
        try {
            return controller.usage(cgroup);
        } catch (IOException | RuntimeException e) {
            return null;
        }
    }
}
