package io.hotvirt.checkpoint.image;

/**
 * Consecutive virtual pages stored consecutively in a page file.
 *
 * @param vaddr      first virtual address (page aligned)
 * @param pages      number of 4 KiB pages
 * @param fileOffset where the first page starts in the page file (page aligned)
 * @param kind       resident or swapped at dump time
 */
public record PageRun(long vaddr, long pages, long fileOffset, PageKind kind) {

    public long end() {
        return vaddr + pages * ImageFormat.PAGE_SIZE;
    }

    public long bytes() {
        return pages * ImageFormat.PAGE_SIZE;
    }

    /** Whether {@code next} continues this run in memory and in the file, with the same kind. */
    boolean continuedBy(PageRun next) {
        return next.kind == kind && next.vaddr == end() && next.fileOffset == fileOffset + bytes();
    }
}
