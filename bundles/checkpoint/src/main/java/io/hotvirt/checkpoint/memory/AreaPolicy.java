package io.hotvirt.checkpoint.memory;

import io.hotvirt.linux.proc.MemoryMapping;
import io.hotvirt.linux.proc.PageEntry;

/** Which areas and pages a checkpoint saves as page data, and why the others are left out. */
final class AreaPolicy {

    static final String PAGES = "pages";
    static final String KERNEL = "kernel";
    static final String SHARED = "shared";

    private AreaPolicy() {
    }

    /** What the image holds of an area: {@code pages}, {@code kernel} or {@code shared}. */
    static String contents(MemoryMapping m) {
        if (m.isKernelArea()) {
            return KERNEL; // [vdso], [vvar], [vsyscall], [uprobes]: the kernel makes them anew
        }
        if (m.isShared()) {
            return SHARED; // shared memory is saved once per domain, not per process: not yet here
        }
        return PAGES; // private: anonymous pages, and the copied-on-write pages of file mappings
    }

    /**
     * Whether a present page of a private area must be saved. Bit 61 on a present page of a private
     * area means it is the file's page-cache page, never written by the process: it comes back from
     * the file. Without it the page is anonymous (a copy-on-write copy or plain anonymous memory).
     */
    static boolean savePresent(PageEntry e) {
        return !e.fileOrSharedAnon();
    }
}
