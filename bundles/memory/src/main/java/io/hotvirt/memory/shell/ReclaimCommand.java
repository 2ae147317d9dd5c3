package io.hotvirt.memory.shell;

import io.hotvirt.api.Domain;
import io.hotvirt.memory.Sizes;
import io.hotvirt.memory.reclaim.ReclaimResult;
import org.apache.karaf.shell.api.action.Command;
import org.apache.karaf.shell.api.action.Option;
import org.apache.karaf.shell.api.action.lifecycle.Service;

@Command(scope = "memory", name = "reclaim", description = "Pushes a domain's pages out of RAM now, and reports how"
        + " many moved.",
        detailedDescription = "On cgroup v2 with memory.reclaim (Linux 5.19+) the kernel reclaims from the domain's"
                + " cgroup, coldest pages first, page cache included. Elsewhere (cgroup v1) each process is given"
                + " MADV_PAGEOUT through process_madvise(2) over the resident private anonymous pages of its heap,"
                + " stacks and anonymous mappings, which go to swap. Nothing is killed and no process stops: pages"
                + " pushed out come back when they are touched. Anonymous memory needs swap to go anywhere.\n"
                + "What moved is counted from the page tables before and after (as memory:map shows them).\n"
                + "Examples: memory:reclaim w1    memory:reclaim w1 --bytes 64M")
@Service
public class ReclaimCommand extends MemoryCommand {

    @Option(name = "--bytes", description = "The most to reclaim, e.g. 64M or 1.5G (default: as much as possible)")
    private String bytes;

    @Override
    protected Object act() throws Exception {
        Long amount = null;
        if (bytes != null) {
            amount = Sizes.parse(bytes, "--bytes");
            if (amount == 0) {
                throw new IllegalArgumentException("--bytes 0 reclaims nothing: give a size such as 64M, or leave it"
                        + " out to reclaim as much as possible");
            }
        }
        Domain domain = runningDomain();
        ReclaimResult r = memory.reclaim(domain, amount);
        long page = r.pageSize();
        System.out.println(name + ": reclaimed with " + r.method() + " from " + r.processes() + " process"
                + (r.processes() == 1 ? "" : "es") + (amount == null ? "" : ", asked for " + Sizes.format(amount)));
        System.out.printf("Resident : %d -> %d pages (%s moved out of RAM: %d pages)%n", r.before().resident(),
                r.after().resident(), Sizes.format(r.pagesMoved() * page), r.pagesMoved());
        System.out.printf("Swapped  : %d -> %d pages (%s to swap)%n", r.before().swapped(), r.after().swapped(),
                Sizes.format(r.pagesSwappedOut() * page));
        if (r.usageBefore() != null && r.usageAfter() != null) {
            Long cached = r.usageAfter().swapCached();
            System.out.printf("Cgroup   : %s -> %s charged%s%n", Sizes.format(r.usageBefore().current()),
                    Sizes.format(r.usageAfter().current()), cached == null || cached == 0 ? ""
                            : " (" + Sizes.format(cached) + " of it swap cache: already in swap, freed as soon as the"
                            + " kernel needs the memory)");
        }
        if (!r.complete() && amount != null) {
            System.out.println("Note: the kernel reclaimed less than asked: nothing more could go right now");
        }
        for (String note : r.notes()) {
            System.out.println("Note: " + note);
        }
        return null;
    }
}
