package io.hotvirt.checkpoint.image;

/** Where a page was when it was saved; restore treats both alike, statistics tell them apart. */
public enum PageKind {
    /** In RAM when dumped. */
    RESIDENT,
    /** In swap when dumped (read from the swap area, or through the process as a fallback). */
    SWAPPED;

    static PageKind of(int code) {
        return switch (code) {
            case 0 -> RESIDENT;
            case 1 -> SWAPPED;
            default -> throw new IllegalArgumentException("unknown page kind " + code);
        };
    }
}
