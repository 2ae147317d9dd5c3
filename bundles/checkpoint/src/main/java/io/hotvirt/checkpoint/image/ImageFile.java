package io.hotvirt.checkpoint.image;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.WritableByteChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Set;

/**
 * A file of an image being written: created 0600, written sequentially, hashed as it is written
 * (so nothing is read back to checksum it), fsync'ed when closed.
 */
public final class ImageFile implements WritableByteChannel {

    private final String name;
    private final FileChannel channel;
    private final MessageDigest sha256;
    private long size;
    private FileEntry entry;

    ImageFile(Path dir, String name) throws IOException {
        this.name = name;
        this.channel = FileChannel.open(dir.resolve(name),
                Set.of(StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE),
                PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        try {
            this.sha256 = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
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
        ByteBuffer view = src.duplicate();
        int n = channel.write(src);
        view.limit(view.position() + n);
        sha256.update(view);
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

    @Override
    public void close() throws IOException {
        if (entry == null) {
            channel.force(true);
            channel.close();
            entry = new FileEntry(name, size, HexFormat.of().formatHex(sha256.digest()));
        }
    }

    /** The manifest line of a closed file. */
    FileEntry entry() {
        if (entry == null) {
            throw new IllegalStateException(name + " is still open");
        }
        return entry;
    }
}
