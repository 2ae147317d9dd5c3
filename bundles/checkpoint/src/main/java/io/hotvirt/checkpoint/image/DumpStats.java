package io.hotvirt.checkpoint.image;

/**
 * What a checkpoint did, kept in the manifest so {@code checkpoint:show} can tell a user where the
 * pages came from and what the domain paid for it.
 *
 * @param residentPages         pages in RAM at dump time (of shared memory objects: every page saved
 *                              that was not in swap, holes saved as zeros included)
 * @param swappedPages          pages in swap at dump time (direct + through the process)
 * @param swapDirectPages       swapped pages read straight from the swap area, not swapped in
 * @param swapViaProcessPages   swapped pages read through the process because direct reading was not
 *                              possible (compressed swap, unknown area, read error, shared memory
 *                              objects): these were swapped in
 * @param fileBackedPagesSkipped pages of private file mappings left out because they come from the file
 * @param bytes                 bytes of page data written
 * @param frozenMillis          how long the domain was stopped, as far as known when the manifest was
 *                              written: final with --leave-running (released before the commit); without
 *                              it the domain stays stopped through the commit until its kill, which the
 *                              dump's summary counts ({@code DumpPhases}) and the manifest cannot
 * @param totalMillis           the whole checkpoint up to the writing of the manifest (the summary's
 *                              Total includes the commit)
 */
public record DumpStats(long residentPages, long swappedPages, long swapDirectPages, long swapViaProcessPages,
                        long fileBackedPagesSkipped, long bytes, long frozenMillis, long totalMillis) {

    public static final DumpStats EMPTY = new DumpStats(0, 0, 0, 0, 0, 0, 0, 0);

    public DumpStats plus(DumpStats o) {
        return new DumpStats(residentPages + o.residentPages, swappedPages + o.swappedPages,
                swapDirectPages + o.swapDirectPages, swapViaProcessPages + o.swapViaProcessPages,
                fileBackedPagesSkipped + o.fileBackedPagesSkipped, bytes + o.bytes,
                frozenMillis + o.frozenMillis, totalMillis + o.totalMillis);
    }

    public DumpStats withTimes(long frozenMillis, long totalMillis) {
        return new DumpStats(residentPages, swappedPages, swapDirectPages, swapViaProcessPages,
                fileBackedPagesSkipped, bytes, frozenMillis, totalMillis);
    }
}
