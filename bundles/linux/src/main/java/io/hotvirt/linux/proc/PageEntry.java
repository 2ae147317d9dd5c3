package io.hotvirt.linux.proc;

/**
 * One 64-bit {@code /proc/PID/pagemap} entry, decoded per Documentation/admin-guide/mm/pagemap.rst.
 * Kept as the raw value so bulk reads cost one long per page.
 *
 * @param address the virtual address of the page
 * @param raw     the entry as the kernel wrote it
 */
public record PageEntry(long address, long raw) {

    private static final long PFN_MASK = (1L << 55) - 1;

    /** Bit 63: the page is in RAM. */
    public boolean present() {
        return (raw & (1L << 63)) != 0;
    }

    /** Bit 62: the page is in swap. */
    public boolean swapped() {
        return (raw & (1L << 62)) != 0;
    }

    /** Bit 61: a file page or shared anonymous memory (not private anonymous). */
    public boolean fileOrSharedAnon() {
        return (raw & (1L << 61)) != 0;
    }

    /** Bit 58 (6.15+): a guard region installed with MADV_GUARD_INSTALL. */
    public boolean guard() {
        return (raw & (1L << 58)) != 0;
    }

    /** Bit 57 (5.13+): write-protected by userfaultfd. */
    public boolean uffdWriteProtected() {
        return (raw & (1L << 57)) != 0;
    }

    /** Bit 56 (4.2+): mapped by this process only. */
    public boolean exclusive() {
        return (raw & (1L << 56)) != 0;
    }

    /** Bit 55: soft-dirty (always 0 on kernels without CONFIG_MEM_SOFT_DIRTY). */
    public boolean softDirty() {
        return (raw & (1L << 55)) != 0;
    }

    /** Bits 0-54 of a present page: the page frame number (0 without CAP_SYS_ADMIN); else -1. */
    public long pfn() {
        return present() ? raw & PFN_MASK : -1;
    }

    /** Bits 0-4 of a swapped page: the swap area (type); else -1. */
    public int swapType() {
        return swapped() ? (int) (raw & 0x1f) : -1;
    }

    /** Bits 5-54 of a swapped page: the slot in the swap area; else -1. */
    public long swapOffset() {
        return swapped() ? (raw & PFN_MASK) >>> 5 : -1;
    }

    /** Neither in RAM nor in swap: never touched, or dropped (clean file page). */
    public boolean unpopulated() {
        return !present() && !swapped();
    }
}
