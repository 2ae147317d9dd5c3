package io.hotvirt.checkpoint.memory;

import com.sun.jna.LastErrorException;
import com.sun.jna.Pointer;
import io.hotvirt.linux.jna.LibC;
import io.hotvirt.linux.jna.Syscall;
import io.hotvirt.linux.proc.PageEntry;
import io.hotvirt.linux.proc.Pagemap;

import java.io.IOException;
import java.security.SecureRandom;
import java.util.Arrays;

import static io.hotvirt.linux.process.ProcessMadvise.MADV_PAGEOUT;

/**
 * Proves which /proc/swaps line a swap type names: one page of random bytes in this JVM is pushed
 * to swap with MADV_PAGEOUT (Linux 5.4+), its pagemap entry gives (type, slot), and the slot is
 * read with O_DIRECT from the area at position {@code type}. Random bytes cannot match by chance.
 * Writeback is asynchronous, so the read is retried for a while before giving up.
 */
final class SwapCanary {

    private static final int PAGE = AlignedBuffer.ALIGN;
    private static final long WAIT_MILLIS = 300;

    interface Opener {
        /** The reader for the area at /proc/swaps position {@code position}, or null if none. */
        DirectSwapReader open(int position) throws IOException;
    }

    /** inconclusive: the canary reached no slot on disk at all, so it says nothing about the types. */
    record Outcome(boolean matched, boolean inconclusive, int type, String description) {
        Outcome(boolean matched, int type, String description) {
            this(matched, false, type, description);
        }
    }

    private SwapCanary() {
    }

    static Outcome run(Opener opener) throws IOException {
        byte[] secret = new byte[PAGE];
        new SecureRandom().nextBytes(secret);
        Pointer page = LibC.INSTANCE.mmap(null, PAGE, LibC.PROT_READ | LibC.PROT_WRITE,
                LibC.MAP_PRIVATE | LibC.MAP_ANONYMOUS, -1, 0);
        AlignedBuffer buffer = new AlignedBuffer(PAGE);
        try {
            page.write(0, secret, 0, PAGE);
            long address = Pointer.nativeValue(page);
            try {
                LibC.INSTANCE.syscall(Syscall.MADVISE, address, PAGE, MADV_PAGEOUT);
            } catch (LastErrorException e) {
                return new Outcome(false, -1, "MADV_PAGEOUT failed, errno " + e.getErrorCode());
            }
            PageEntry entry;
            try (Pagemap pm = Pagemap.open(LibC.INSTANCE.getpid())) {
                entry = new PageEntry(address, pm.readRaw(address, 1)[0]);
            }
            if (!entry.swapped()) {
                return new Outcome(false, -1, "the canary page was not swapped out (no free swap, or reclaim refused)");
            }
            int type = entry.swapType();
            DirectSwapReader reader = opener.open(type);
            if (reader == null) {
                return new Outcome(false, type, "the canary went to swap type " + type
                        + ", which has no line at that position in /proc/swaps");
            }
            try (reader) {
                return find(reader, entry, secret, buffer, opener);
            }
        } finally {
            buffer.close();
            LibC.INSTANCE.munmap(page, PAGE);
        }
    }

    private static Outcome find(DirectSwapReader reader, PageEntry entry, byte[] secret, AlignedBuffer buffer,
                                Opener opener) throws IOException {
        int type = entry.swapType();
        if (!reader.onDisk(entry.swapOffset())) {
            return new Outcome(false, true, type, "slot " + entry.swapOffset() + " of type " + type + " lies in a"
                    + " preallocated (unwritten) extent of " + reader.area().path() + ", which reads as zeros");
        }
        {
            long deadline = System.currentTimeMillis() + WAIT_MILLIS;
            do {
                reader.read(entry.swapOffset(), 1, buffer.pointer());
                if (Arrays.equals(secret, buffer.pointer().getByteArray(0, PAGE))) {
                    return new Outcome(true, type, "swap type " + type + " is " + reader.area().path()
                            + " (position " + type + " in /proc/swaps)");
                }
                sleep();
            } while (System.currentTimeMillis() < deadline);
            // Not at its type's position: is it in another area (a hole below), or on no disk at all?
            for (int other = 0; ; other++) {
                if (other == type) {
                    continue;
                }
                DirectSwapReader r = opener.open(other);
                if (r == null) {
                    break;
                }
                try (r) {
                    r.read(entry.swapOffset(), 1, buffer.pointer());
                    if (Arrays.equals(secret, buffer.pointer().getByteArray(0, PAGE))) {
                        return new Outcome(false, type, "swap type " + type + " is " + r.area().path()
                                + " at position " + other + " of /proc/swaps: an area was swapped off");
                    }
                } catch (IOException e) {
                    // a slot beyond that area's end: not there
                }
            }
            return new Outcome(false, true, type, "slot " + entry.swapOffset() + " of type " + type
                    + " not found on disk within " + WAIT_MILLIS + " ms (writeback not done yet?)");
        }
    }

    private static void sleep() {
        try {
            Thread.sleep(5);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
