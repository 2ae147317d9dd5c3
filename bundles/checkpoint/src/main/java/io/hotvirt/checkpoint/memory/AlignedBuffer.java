package io.hotvirt.checkpoint.memory;

import com.sun.jna.Memory;
import com.sun.jna.Pointer;

import java.nio.ByteBuffer;

/**
 * Native memory aligned to 4096 bytes: O_DIRECT reads need the buffer, offset and length aligned to
 * the device's logical block size, and page alignment satisfies every block size. One buffer is
 * reused for every read of a dump, so page data never passes through the Java heap.
 */
final class AlignedBuffer {

    static final int ALIGN = 4096;

    private final Memory raw; // kept referenced: the aligned view does not own the allocation
    private final Pointer aligned;
    private final long size;

    AlignedBuffer(long size) {
        this.size = size;
        this.raw = new Memory(size + ALIGN);
        long base = Pointer.nativeValue(raw);
        long offset = (ALIGN - (base % ALIGN)) % ALIGN;
        this.aligned = raw.share(offset, size);
    }

    Pointer pointer() {
        return aligned;
    }

    long size() {
        return size;
    }

    /** A direct ByteBuffer over the first {@code length} bytes, to hand to a FileChannel. */
    ByteBuffer view(int length) {
        return aligned.getByteBuffer(0, length);
    }

    /** Whether every byte of {@code view} is zero. */
    static boolean isZero(ByteBuffer view) {
        int i = 0;
        for (; i + 8 <= view.limit(); i += 8) {
            if (view.getLong(i) != 0) {
                return false;
            }
        }
        for (; i < view.limit(); i++) {
            if (view.get(i) != 0) {
                return false;
            }
        }
        return true;
    }

    void close() {
        raw.close();
    }
}
