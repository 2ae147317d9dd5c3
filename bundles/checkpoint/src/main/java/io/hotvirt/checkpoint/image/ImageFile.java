package io.hotvirt.checkpoint.image;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.WritableByteChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Set;

/**
 * A file of an image being written: created 0600, written sequentially. Closing it neither hashes
 * nor fsyncs: {@link #seal} does both when the image is committed, which a checkpoint does only
 * after the domain is released, so a domain is never kept stopped for checksums or disk flushes.
 */
public final class ImageFile implements WritableByteChannel {

    private final Path path;
    private final String name;
    private final FileChannel channel;
    private long size;
    private FileEntry entry;

    ImageFile(Path dir, String name) throws IOException {
        this.name = name;
        this.path = dir.resolve(name);
        this.channel = FileChannel.open(path,
                Set.of(StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE),
                PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
    }

    public String name() {
        return name;
    }

    /** Bytes written so far: the offset the next write lands at. */
    public long size() {
        return size;
    }

    @Override
    public int write(ByteBuffer src) throws IOException {
        int n = channel.write(src);
        size += n;
        return n;
    }

    /** Writes all of {@code src}. */
    public void writeFully(ByteBuffer src) throws IOException {
        while (src.hasRemaining()) {
            write(src);
        }
    }

    @Override
    public boolean isOpen() {
        return channel.isOpen();
    }

    /** Closes the channel; no fsync (see {@link #seal}). */
    @Override
    public void close() throws IOException {
        channel.close();
    }

    /**
     * Closes the file, checksums it by reading it back (from the page cache, normally) and fsyncs it;
     * returns its manifest line. Fails if the file does not hold exactly what was written.
     */
    FileEntry seal() throws IOException {
        if (entry != null) {
            return entry;
        }
        close();
        long onDisk;
        try (FileChannel ch = FileChannel.open(path, StandardOpenOption.READ)) {
            onDisk = ch.size();
            ch.force(true); // fsync works on any fd of the inode
        }
        if (onDisk != size) {
            throw new IOException(path + " holds " + onDisk + " bytes, " + size + " were written");
        }
        entry = new FileEntry(name, size, FileDigest.of(path, size, ImageFormat.VERSION));
        return entry;
    }
}
