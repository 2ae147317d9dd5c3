package io.hotvirt.memory.pages;

/**
 * Page counts of an address range, a process or a domain, from /proc/PID/pagemap.
 *
 * @param pages        virtual pages in the range
 * @param resident     pages in RAM
 * @param residentAnon resident private anonymous pages (pagemap bit 61 clear), including the
 *                     copied-on-write pages of private file mappings
 * @param residentFile resident page-cache pages and shared anonymous memory (bit 61 set)
 * @param swapped      pages in swap
 * @param exclusive    resident pages mapped by this process only (bit 56)
 */
public record PageCounts(long pages, long resident, long residentAnon, long residentFile, long swapped,
                         long exclusive) {

    public static final PageCounts ZERO = new PageCounts(0, 0, 0, 0, 0, 0);

    /** Never touched, or dropped (clean file pages): neither in RAM nor in swap. */
    public long notPresent() {
        return pages - resident - swapped;
    }

    public PageCounts plus(PageCounts o) {
        return new PageCounts(pages + o.pages, resident + o.resident, residentAnon + o.residentAnon,
                residentFile + o.residentFile, swapped + o.swapped, exclusive + o.exclusive);
    }
}
