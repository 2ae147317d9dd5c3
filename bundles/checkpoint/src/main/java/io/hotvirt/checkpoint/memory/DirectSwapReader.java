package io.hotvirt.checkpoint.memory;

import com.sun.jna.LastErrorException;
import com.sun.jna.Pointer;
import io.hotvirt.linux.jna.Errno;
import io.hotvirt.linux.jna.FileExtents;
import io.hotvirt.linux.jna.LibC;

import java.io.IOException;
import java.util.List;

import static io.hotvirt.linux.jna.LibC.O_DIRECT;

/**
 * Reads slots of one swap area with O_DIRECT. The kernel writes swap pages with direct block I/O
 * (swap extents mapped to the device), bypassing the swap file's page cache, so a buffered read
 * could return stale cached data; O_DIRECT reads the device. Slot N is at byte N * 4096 for swap
 * files and partitions alike (slot 0 is the swap header).
 *
 * <p>The kernel's writes also bypass the file system: an extent of a swap file that was preallocated
 * (fallocate) stays <em>unwritten</em> in the file system's books forever, and every read through
 * the file returns zeros there — O_DIRECT or not — while the page sits on the device behind it. So
 * for a swap file the extent map (FIEMAP, fixed while the file is a swap area: the kernel makes it
 * immutable) is read once, and a slot is only read from the file when it lies in a written extent
 * ({@link #onDisk}); the others must be read another way.
 */
final class DirectSwapReader implements AutoCloseable {

    private final SwapArea area;
    private final int fd;
    private final FileExtents.Extent[] extents; // null for a partition: every slot is on the device
    private final long unwrittenPages;

    DirectSwapReader(SwapArea area) throws IOException {
        this.area = area;
        try {
            this.fd = LibC.INSTANCE.open(area.path(), LibC.O_RDONLY | O_DIRECT | LibC.O_CLOEXEC, 0);
        } catch (LastErrorException e) {
            throw new IOException("cannot open swap area " + area.path() + " with O_DIRECT: "
                    + Errno.describe(e.getErrorCode()), e);
        }
        if (area.type().equals("partition")) {
            extents = null;
            unwrittenPages = 0;
            return;
        }
        List<FileExtents.Extent> list;
        try {
            list = FileExtents.of(fd);
        } catch (IOException e) {
            close();
            throw new IOException("cannot read the extent map of swap file " + area.path()
                    + " (" + e.getMessage() + "): its slots cannot be told apart from unwritten ones", e);
        }
        extents = list.toArray(FileExtents.Extent[]::new);
        unwrittenPages = list.stream().filter(x -> x.unwritten() || x.unknown())
                .mapToLong(x -> x.length() / AlignedBuffer.ALIGN).sum();
    }

    /** Pages of the area in preallocated (unwritten) extents, which cannot be read through the file. */
    long unwrittenPages() {
        return unwrittenPages;
    }

    /**
     * Whether slot {@code slot} can be read through this file: always for a partition; for a swap
     * file only when the slot lies in a written extent (an unwritten one reads as zeros).
     */
    boolean onDisk(long slot) {
        if (extents == null) {
            return true;
        }
        long from = slot * AlignedBuffer.ALIGN;
        long to = from + AlignedBuffer.ALIGN;
        int lo = 0;
        int hi = extents.length - 1;
        while (lo <= hi) {
            int mid = (lo + hi) >>> 1;
            FileExtents.Extent x = extents[mid];
            if (from >= x.end()) {
                lo = mid + 1;
            } else if (from < x.logical()) {
                hi = mid - 1;
            } else {
                return to <= x.end() && !x.unwritten() && !x.unknown();
            }
        }
        return false; // a hole: swapon refuses those, so something is off — do not trust it
    }

    SwapArea area() {
        return area;
    }

    /** Reads {@code pages} consecutive slots from {@code slot} into the aligned {@code buffer}. */
    void read(long slot, int pages, Pointer buffer) throws IOException {
        long length = (long) pages * AlignedBuffer.ALIGN;
        long done = 0;
        while (done < length) {
            long n;
            try {
                n = LibC.INSTANCE.pread(fd, buffer.share(done), length - done, slot * AlignedBuffer.ALIGN + done);
            } catch (LastErrorException e) {
                throw new IOException("pread of swap area " + area.path() + " slot " + slot + ": "
                        + Errno.describe(e.getErrorCode()), e);
            }
            if (n <= 0) {
                throw new IOException("swap area " + area.path() + " ends before slot " + (slot + pages));
            }
            done += n;
        }
    }

    @Override
    public void close() {
        try {
            LibC.INSTANCE.close(fd);
        } catch (LastErrorException ignored) {
            // nothing to do
        }
    }
}
