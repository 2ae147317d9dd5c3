package io.hotvirt.checkpoint.image;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.WritableByteChannel;

/**
 * Streams the page index: a 16-byte header ({@code "HVPIDX01"}, record count placeholder unused)
 * followed by 32-byte little-endian records (vaddr, pages, file offset, kind, reserved). Adjacent
 * runs that continue each other are merged before they are written, so the index stays small.
 */
public final class PageIndexWriter implements AutoCloseable {

    static final byte[] MAGIC = {'H', 'V', 'P', 'I', 'D', 'X', '0', '1'};
    static final int HEADER = 16;
    static final int RECORD = 32;

    private final WritableByteChannel out;
    private final ByteBuffer buffer = ByteBuffer.allocate(RECORD * 256).order(ByteOrder.LITTLE_ENDIAN);
    private PageRun pending;
    private long runs;

    public PageIndexWriter(WritableByteChannel out) throws IOException {
        this.out = out;
        buffer.put(MAGIC).putLong(0);
    }

    public void add(PageRun run) throws IOException {
        if (pending != null && pending.continuedBy(run)) {
            pending = new PageRun(pending.vaddr(), pending.pages() + run.pages(), pending.fileOffset(), run.kind());
            return;
        }
        flushPending();
        pending = run;
    }

    /** Runs written so far (after merging). */
    public long runs() {
        return runs + (pending == null ? 0 : 1);
    }

    private void flushPending() throws IOException {
        if (pending == null) {
            return;
        }
        if (buffer.remaining() < RECORD) {
            drain();
        }
        buffer.putLong(pending.vaddr()).putLong(pending.pages()).putLong(pending.fileOffset())
                .putInt(pending.kind().ordinal()).putInt(0);
        runs++;
        pending = null;
    }

    private void drain() throws IOException {
        buffer.flip();
        while (buffer.hasRemaining()) {
            out.write(buffer);
        }
        buffer.clear();
    }

    /** Writes what is pending; does not close the underlying channel. */
    @Override
    public void close() throws IOException {
        flushPending();
        drain();
    }
}
