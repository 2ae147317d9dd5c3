package io.hotvirt.checkpoint.image;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.stream.LongStream;

/**
 * The checksum of an image file as the manifest lists it. Format 2: SHA-256 over the SHA-256s of
 * the file's {@link #CHUNK} chunks in order, so the chunks of one large page file are hashed on
 * every core — sealing a dump and checking an image before a restore both read every byte, and
 * that reading is most of a zero-copy restore. Format 1: plain SHA-256 of the whole file.
 */
public final class FileDigest {

    static final long CHUNK = 64L << 20;
    private static final int BUFFER = 1 << 20;
    /** One direct buffer per hashing thread, reused: direct memory is freed only by a GC. */
    private static final ThreadLocal<ByteBuffer> BUFFERS = ThreadLocal.withInitial(() -> ByteBuffer.allocateDirect(BUFFER));

    private FileDigest() {
    }

    /** The checksum of {@code file} (of {@code size} bytes) in image format {@code version}. */
    public static String of(Path file, long size, int version) throws IOException {
        if (version == 1) {
            return hex(range(file, 0, size).digest());
        }
        MessageDigest tree = sha256();
        try {
            List<byte[]> chunks = LongStream.range(0, (size + CHUNK - 1) / CHUNK).parallel()
                    .mapToObj(i -> chunk(file, i * CHUNK, Math.min(CHUNK, size - i * CHUNK))).toList();
            chunks.forEach(tree::update);
        } catch (UncheckedIOException e) {
            throw e.getCause();
        }
        return hex(tree.digest());
    }

    /** The checksum of a small file already read into memory, e.g. to trust it before parsing it. */
    public static String of(byte[] bytes, int version) {
        if (version == 1) {
            return hex(sha256().digest(bytes));
        }
        MessageDigest tree = sha256();
        for (long from = 0; from < bytes.length; from += CHUNK) {
            int to = (int) Math.min(bytes.length, from + CHUNK);
            tree.update(sha256().digest(java.util.Arrays.copyOfRange(bytes, (int) from, to)));
        }
        return hex(tree.digest());
    }

    private static byte[] chunk(Path file, long from, long length) {
        try {
            return range(file, from, length).digest();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static MessageDigest range(Path file, long from, long length) throws IOException {
        MessageDigest md = sha256();
        ByteBuffer b = BUFFERS.get();
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            for (long at = from, end = from + length; at < end; ) {
                b.clear().limit((int) Math.min(b.capacity(), end - at));
                int n = ch.read(b, at);
                if (n < 0) {
                    throw new IOException(file + " ends at " + at + ", before the " + end + " bytes expected");
                }
                md.update(b.flip());
                at += n;
            }
        }
        return md;
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static String hex(byte[] digest) {
        return HexFormat.of().formatHex(digest);
    }
}
