package io.hotvirt.checkpoint.memory;

import com.sun.jna.LastErrorException;
import com.sun.jna.Memory;
import com.sun.jna.Pointer;
import io.hotvirt.linux.jna.Errno;
import io.hotvirt.linux.jna.LibC;
import io.hotvirt.linux.process.ProcessMadvise;

import java.io.IOException;

/**
 * A read-only MAP_SHARED mapping of a shared memory object in this JVM, to see which of its pages
 * are in memory and to page out again the ones a read swapped in. mincore(2) of a shmem mapping
 * looks at the object itself (page cache, swap cache), not at our page tables, so it needs no
 * faults; MADV_PAGEOUT only acts on pages mapped in the caller's page tables, so
 * {@link #pageOut} first maps them in by touching them (they are in the page cache by then: no
 * allocation). The mapping is never written.
 */
final class ObjectResidency implements AutoCloseable {

    private static final int PAGE = AlignedBuffer.ALIGN;

    private static final int ENXIO = 6;

    private final int fd;
    private final Pointer base;
    private final long length;
    private final Memory vector;
    /** Taken when mapped, before the dump reads anything: which pages were in memory, which held data. */
    final boolean[] residentAtFirst;
    final boolean[] dataAtFirst;

    private ObjectResidency(int fd, Pointer base, long length) throws IOException {
        this.fd = fd;
        this.base = base;
        this.length = length;
        this.vector = new Memory(Math.max(1, length / PAGE));
        try {
            this.residentAtFirst = resident(0, (int) (length / PAGE));
            this.dataAtFirst = data((int) (length / PAGE));
        } catch (IOException e) {
            close();
            throw e;
        }
    }

    long pages() {
        return length / PAGE;
    }

    /**
     * Maps {@code pages} pages of the object at {@code path} (a /proc/PID/map_files link) and notes
     * which are in memory and which hold data.
     */
    static ObjectResidency map(String path, long pages) throws IOException {
        int fd;
        try {
            fd = LibC.INSTANCE.open(path, LibC.O_RDONLY | LibC.O_CLOEXEC, 0);
        } catch (LastErrorException e) {
            throw new IOException("open " + path + ": " + Errno.describe(e.getErrorCode()), e);
        }
        try {
            Pointer p = LibC.INSTANCE.mmap(null, pages * PAGE, LibC.PROT_READ, LibC.MAP_SHARED, fd, 0);
            return new ObjectResidency(fd, p, pages * PAGE);
        } catch (LastErrorException e) {
            LibC.INSTANCE.close(fd);
            throw new IOException("mmap " + path + ": " + Errno.describe(e.getErrorCode()), e);
        }
    }

    /**
     * Which of the first {@code n} pages hold data — in memory or in swap — rather than being holes
     * (SEEK_DATA/SEEK_HOLE, which count shmem swap entries as data): a page out of memory that holds
     * data is in swap, whether or not reclaim takes it again before anyone looks.
     */
    boolean[] data(int n) throws IOException {
        boolean[] out = new boolean[n];
        long end = (long) n * PAGE;
        long at = 0;
        try {
            while (at < end) {
                long from;
                try {
                    from = LibC.INSTANCE.lseek(fd, at, LibC.SEEK_DATA);
                } catch (LastErrorException e) {
                    if (e.getErrorCode() == ENXIO) {
                        break; // no data after at
                    }
                    throw e;
                }
                long to = Math.min(end, LibC.INSTANCE.lseek(fd, from, LibC.SEEK_HOLE));
                for (long p = from / PAGE; p < (to + PAGE - 1) / PAGE && p < n; p++) {
                    out[(int) p] = true;
                }
                at = to;
            }
        } catch (LastErrorException e) {
            throw new IOException("lseek SEEK_DATA/SEEK_HOLE: " + Errno.describe(e.getErrorCode()), e);
        }
        return out;
    }

    /** Which of {@code n} pages from byte {@code offset} are in memory. */
    boolean[] resident(long offset, int n) throws IOException {
        try {
            LibC.INSTANCE.mincore(base.share(offset), (long) n * PAGE, vector);
        } catch (LastErrorException e) {
            throw new IOException("mincore: " + Errno.describe(e.getErrorCode()), e);
        }
        boolean[] out = new boolean[n];
        for (int i = 0; i < n; i++) {
            out[i] = (vector.getByte(i) & 1) != 0;
        }
        return out;
    }

    /**
     * Pages out the pages {@code which} of the {@code which.length} pages from {@code offset};
     * returns how many of them are still in memory afterwards.
     */
    int pageOut(long offset, boolean[] which) throws IOException {
        for (int i = 0; i < which.length; i++) {
            if (which[i]) {
                base.getByte(offset + (long) i * PAGE); // a read fault maps the cached page, allocates nothing
            }
        }
        for (int i = 0; i < which.length; ) {
            if (!which[i]) {
                i++;
                continue;
            }
            int j = i;
            while (j < which.length && which[j]) {
                j++;
            }
            try {
                LibC.INSTANCE.madvise(base.share(offset + (long) i * PAGE), (long) (j - i) * PAGE,
                        ProcessMadvise.MADV_PAGEOUT);
            } catch (LastErrorException e) {
                throw new IOException("madvise(MADV_PAGEOUT): " + Errno.describe(e.getErrorCode()), e);
            }
            i = j;
        }
        boolean[] now = resident(offset, which.length);
        int still = 0;
        for (int i = 0; i < which.length; i++) {
            if (which[i] && now[i]) {
                still++;
            }
        }
        return still;
    }

    @Override
    public void close() {
        try {
            LibC.INSTANCE.munmap(base, length);
            LibC.INSTANCE.close(fd);
        } catch (LastErrorException ignored) {
            // nothing to do
        }
        vector.close();
    }
}
