package io.hotvirt.linux.proc;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;

/**
 * Reads {@code /proc/PID/pagemap}: 8 bytes per virtual page, at offset {@code address / pageSize * 8}.
 * A range is read with one positional read ({@link FileChannel#read(ByteBuffer, long)} is pread(2))
 * rather than page by page. The file stays open, so reads stay valid for the same process even if
 * its pid is reused later.
 */
public final class Pagemap implements AutoCloseable {

    /** Pages per pread: 512 KiB of entries covers 2 GiB of address space. */
    private static final int CHUNK_PAGES = 64 * 1024;

    private final int pid;
    private final long pageSize;
    private final FileChannel channel;

    private Pagemap(int pid, long pageSize, FileChannel channel) {
        this.pid = pid;
        this.pageSize = pageSize;
        this.channel = channel;
    }

    public static Pagemap open(int pid) throws IOException {
        Path file = Path.of("/proc", Integer.toString(pid), "pagemap");
        try {
            return new Pagemap(pid, Procfs.pageSize(), FileChannel.open(file, StandardOpenOption.READ));
        } catch (NoSuchFileException e) {
            throw new IOException("cannot read " + file + ": process " + pid + " does not exist (it has exited)", e);
        }
    }

    public int pid() {
        return pid;
    }

    /**
     * The raw entries of {@code pageCount} pages from {@code startAddress} (page aligned). Addresses
     * at or above 2^63 (kernel space, [vsyscall]) have no entries and read as 0.
     */
    public long[] readRaw(long startAddress, int pageCount) throws IOException {
        if (startAddress % pageSize != 0) {
            throw new IllegalArgumentException("address 0x" + Long.toHexString(startAddress) + " is not page aligned");
        }
        long[] out = new long[pageCount];
        if (startAddress < 0) {
            return out;
        }
        ByteBuffer buffer = ByteBuffer.allocateDirect(Math.min(pageCount, CHUNK_PAGES) * 8)
                .order(ByteOrder.nativeOrder());
        int done = 0;
        while (done < pageCount) {
            int pages = Math.min(pageCount - done, CHUNK_PAGES);
            buffer.clear().limit(pages * 8);
            long position = (startAddress / pageSize + done) * 8;
            while (buffer.hasRemaining()) {
                int n = channel.read(buffer, position + buffer.position());
                if (n <= 0) {
                    break; // past the end of the address space: no more entries
                }
            }
            buffer.flip();
            for (int i = 0; buffer.remaining() >= 8; i++) {
                out[done + i] = buffer.getLong();
            }
            done += pages;
        }
        return out;
    }

    /** The entries of every page in [start, end). */
    public List<PageEntry> read(long start, long end) throws IOException {
        int pages = Math.toIntExact((end - start) / pageSize);
        long[] raw = readRaw(start, pages);
        List<PageEntry> entries = new ArrayList<>(pages);
        for (int i = 0; i < pages; i++) {
            entries.add(new PageEntry(start + i * pageSize, raw[i]));
        }
        return entries;
    }

    public List<PageEntry> read(MemoryMapping area) throws IOException {
        return read(area.start(), area.end());
    }

    @Override
    public void close() throws IOException {
        channel.close();
    }
}
