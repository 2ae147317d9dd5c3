package io.hotvirt.checkpoint.image;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import java.util.function.Consumer;

/** Streams the runs of a page index written by {@link PageIndexWriter}, without loading it whole. */
public final class PageIndexReader {

    private PageIndexReader() {
    }

    public static void forEach(Path file, Consumer<PageRun> action) throws IOException {
        try (FileChannel in = FileChannel.open(file, StandardOpenOption.READ)) {
            ByteBuffer header = ByteBuffer.allocate(PageIndexWriter.HEADER);
            readFully(in, header, file);
            byte[] magic = Arrays.copyOf(header.array(), PageIndexWriter.MAGIC.length);
            if (!Arrays.equals(magic, PageIndexWriter.MAGIC)) {
                throw new IOException(file + " is not a hotvirt page index (bad magic)");
            }
            long size = in.size() - PageIndexWriter.HEADER;
            if (size % PageIndexWriter.RECORD != 0) {
                throw new IOException(file + " is truncated: " + size + " bytes of records is not a multiple of "
                        + PageIndexWriter.RECORD);
            }
            ByteBuffer buffer = ByteBuffer.allocate(PageIndexWriter.RECORD * 256).order(ByteOrder.LITTLE_ENDIAN);
            long left = size;
            while (left > 0) {
                buffer.clear().limit((int) Math.min(buffer.capacity(), left));
                readFully(in, buffer, file);
                left -= buffer.limit();
                while (buffer.remaining() >= PageIndexWriter.RECORD) {
                    long vaddr = buffer.getLong();
                    long pages = buffer.getLong();
                    long offset = buffer.getLong();
                    int kind = buffer.getInt();
                    buffer.getInt();
                    action.accept(new PageRun(vaddr, pages, offset, PageKind.of(kind)));
                }
            }
        }
    }

    private static void readFully(FileChannel in, ByteBuffer buffer, Path file) throws IOException {
        while (buffer.hasRemaining()) {
            if (in.read(buffer) < 0) {
                throw new IOException(file + " ends early");
            }
        }
        buffer.flip();
    }
}
