package io.hotvirt.checkpoint.memory;

import com.sun.jna.LastErrorException;
import com.sun.jna.Pointer;
import io.hotvirt.linux.jna.Errno;
import io.hotvirt.linux.jna.LibC;

import java.io.IOException;

/**
 * Reads slots of one swap area with O_DIRECT. The kernel writes swap pages with direct block I/O
 * (swap extents mapped to the device), bypassing the swap file's page cache, so a buffered read
 * could return stale cached data; O_DIRECT reads the device. Slot N is at byte N * 4096 for swap
 * files and partitions alike (slot 0 is the swap header).
 */
final class DirectSwapReader implements AutoCloseable {

    static final int O_DIRECT = 040000;

    private final SwapArea area;
    private final int fd;

    DirectSwapReader(SwapArea area) throws IOException {
        this.area = area;
        try {
            this.fd = LibC.INSTANCE.open(area.path(), LibC.O_RDONLY | O_DIRECT | LibC.O_CLOEXEC, 0);
        } catch (LastErrorException e) {
            throw new IOException("cannot open swap area " + area.path() + " with O_DIRECT: "
                    + Errno.describe(e.getErrorCode()), e);
        }
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
