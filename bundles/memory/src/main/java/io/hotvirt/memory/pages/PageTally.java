package io.hotvirt.memory.pages;

/**
 * Counts raw pagemap entries (Documentation/admin-guide/mm/pagemap.rst) without allocating an object
 * per page. Pure: the bits in, the counts out.
 */
public final class PageTally {

    static final long PRESENT = 1L << 63;
    static final long SWAPPED = 1L << 62;
    static final long FILE_OR_SHARED = 1L << 61;
    static final long EXCLUSIVE = 1L << 56;

    private long pages;
    private long resident;
    private long anon;
    private long file;
    private long swapped;
    private long exclusive;

    /** Adds the first {@code count} entries of {@code raw}. */
    public PageTally add(long[] raw, int count) {
        pages += count;
        for (int i = 0; i < count; i++) {
            long e = raw[i];
            if ((e & PRESENT) != 0) {
                resident++;
                if ((e & FILE_OR_SHARED) != 0) {
                    file++;
                } else {
                    anon++;
                }
                if ((e & EXCLUSIVE) != 0) {
                    exclusive++;
                }
            } else if ((e & SWAPPED) != 0) {
                swapped++;
            }
        }
        return this;
    }

    /** A page that can be paged out to swap: resident, private anonymous, mapped here only. */
    public static boolean swappable(long entry) {
        return (entry & PRESENT) != 0 && (entry & FILE_OR_SHARED) == 0 && (entry & EXCLUSIVE) != 0;
    }

    public PageCounts counts() {
        return new PageCounts(pages, resident, anon, file, swapped, exclusive);
    }
}
