package io.hotvirt.checkpoint.memory;

import io.hotvirt.linux.proc.MemoryMapping;
import io.hotvirt.linux.proc.PageEntry;

/** Which areas and pages a checkpoint saves as page data, and why the others are left out. */
final class AreaPolicy {

    static final String PAGES = "pages";
    static final String KERNEL = "kernel";
    static final String SHARED = "shared";
    static final String SHM = "shm";
    static final String FILE = "file";

    private AreaPolicy() {
    }

    /**
     * What the image holds of an area: {@code pages}, {@code kernel}, {@code shm} (a shared memory
     * object, saved once per domain), {@code file} (a real file mapped shared: it comes from the
     * file) or {@code shared} (another shared mapping, not saved).
     */
    static String contents(MemoryMapping m) {
        if (m.isKernelArea()) {
            return KERNEL; // [vdso], [vvar], [vsyscall], [uprobes]: the kernel makes them anew
        }
        if (m.isShared()) {
            if (isSharedMemoryObject(m)) {
                return SHM;
            }
            return m.path().startsWith("/") ? FILE : SHARED;
        }
        return PAGES; // private: anonymous pages, and the copied-on-write pages of file mappings
    }

    /**
     * A shared mapping whose contents exist nowhere but in memory: shared anonymous memory
     * ({@code /dev/zero (deleted)}, or {@code [anon_shmem:NAME]} when named), a memfd
     * ({@code /memfd:NAME (deleted)}), a SysV segment ({@code /SYSV<key> (deleted)}) or any other
     * file deleted since it was mapped. Identified by (device, inode), which every process mapping
     * it sees alike.
     */
    static boolean isSharedMemoryObject(MemoryMapping m) {
        return m.isShared() && m.inode() != 0 && (m.deleted() || m.path().startsWith("[anon_shmem:"));
    }

    /**
     * Whether a present page of a private area must be saved. Bit 61 on a present page of a private
     * area means it is the file's page-cache page, never written by the process: it comes back from
     * the file. Without it the page is anonymous (a copy-on-write copy or plain anonymous memory).
     */
    static boolean savePresent(PageEntry e) {
        return !e.fileOrSharedAnon();
    }

    /**
     * A private file mapping whose unmodified pages no file will hold at restore: the file was deleted
     * (a replaced library or program), or it is another image's page file (what a zero-copy restore
     * made of anonymous memory: saved from it, this image would depend on that one). Such an area is
     * saved in full, as anonymous memory.
     */
    static boolean savedWhole(MemoryMapping m) {
        if (!m.isPrivate() || m.inode() == 0 || !m.path().startsWith("/")) {
            return false;
        }
        if (m.deleted()) {
            return true;
        }
        return m.path().matches(".*/pages-[0-9]+\\.img") && java.nio.file.Files.exists(
                java.nio.file.Path.of(m.path()).resolveSibling(io.hotvirt.checkpoint.image.ImageFormat.MANIFEST));
    }
}
