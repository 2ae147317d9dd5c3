package io.hotvirt.linux.jna;

import com.sun.jna.LastErrorException;
import com.sun.jna.Library;
import com.sun.jna.Memory;
import com.sun.jna.Native;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/**
 * The extent map of a file, from the FS_IOC_FIEMAP ioctl: which byte ranges of the file are backed
 * by which bytes of the file system's device, and which of them are unwritten (allocated by
 * fallocate, never written through the file system: a read through the file returns zeros there,
 * whatever the device holds).
 */
public final class FileExtents {

    /** _IOWR('f', 11, struct fiemap): struct fiemap is 32 bytes. */
    static final long FS_IOC_FIEMAP = 0xC020660BL;
    static final int FIEMAP_EXTENT_LAST = 0x1;
    static final int FIEMAP_EXTENT_UNKNOWN = 0x2;
    static final int FIEMAP_EXTENT_UNWRITTEN = 0x800;
    private static final int HEADER = 32;
    private static final int EXTENT = 56;
    private static final int BATCH = 512;

    /**
     * One extent.
     *
     * @param logical   byte offset in the file
     * @param physical  byte offset on the file system's device
     * @param length    bytes
     * @param flags     FIEMAP_EXTENT_* flags
     */
    public record Extent(long logical, long physical, long length, int flags) {
        public boolean unwritten() {
            return (flags & FIEMAP_EXTENT_UNWRITTEN) != 0;
        }

        /** The device location is not known (delayed allocation, inline data …). */
        public boolean unknown() {
            return (flags & FIEMAP_EXTENT_UNKNOWN) != 0;
        }

        public long end() {
            return logical + length;
        }
    }

    interface Ioctl extends Library {
        Ioctl INSTANCE = Native.load("c", Ioctl.class);

        int ioctl(int fd, long request, Memory arg) throws LastErrorException;
    }

    private FileExtents() {
    }

    /** Every extent of the open file {@code fd}, in file order. */
    public static List<Extent> of(int fd) throws IOException {
        List<Extent> out = new ArrayList<>();
        long start = 0;
        try (Memory m = new Memory(HEADER + (long) BATCH * EXTENT)) {
            while (true) {
                m.clear();
                m.setLong(0, start);              // fm_start
                m.setLong(8, Long.MAX_VALUE - start); // fm_length (to the end)
                m.setInt(16, 0);                  // fm_flags
                m.setInt(24, BATCH);              // fm_extent_count
                try {
                    Ioctl.INSTANCE.ioctl(fd, FS_IOC_FIEMAP, m);
                } catch (LastErrorException e) {
                    throw new IOException("FIEMAP: " + Errno.describe(e.getErrorCode()), e);
                }
                int mapped = m.getInt(20);        // fm_mapped_extents
                if (mapped == 0) {
                    return out;
                }
                boolean last = false;
                for (int i = 0; i < mapped; i++) {
                    long at = HEADER + (long) i * EXTENT;
                    Extent x = new Extent(m.getLong(at), m.getLong(at + 8), m.getLong(at + 16), m.getInt(at + 40));
                    out.add(x);
                    last |= (x.flags() & FIEMAP_EXTENT_LAST) != 0;
                    start = x.end();
                }
                if (last || mapped < BATCH) {
                    return out;
                }
            }
        }
    }
}
