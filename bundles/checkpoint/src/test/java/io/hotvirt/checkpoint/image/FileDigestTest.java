package io.hotvirt.checkpoint.image;

import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertNotEquals;

/** The image file checksum: chunks hashed in parallel give the same tree hash as one thread in order. */
public class FileDigestTest {

    @Rule
    public final TemporaryFolder tmp = new TemporaryFolder();

    @Test
    public void aFileOfSeveralChunksHashesAsItsChunksInOrder() throws Exception {
        Path f = tmp.newFile("pages.img").toPath();
        long size = 2 * FileDigest.CHUNK + 12345;
        try (RandomAccessFile raf = new RandomAccessFile(f.toFile(), "rw")) {
            raf.setLength(size);
            raf.seek(FileDigest.CHUNK + 7);
            raf.write(new byte[]{1, 2, 3}); // chunk 2 differs from chunk 1
        }
        byte[] all = Files.readAllBytes(f);
        MessageDigest tree = MessageDigest.getInstance("SHA-256");
        for (long from = 0; from < size; from += FileDigest.CHUNK) {
            int to = (int) Math.min(size, from + FileDigest.CHUNK);
            tree.update(MessageDigest.getInstance("SHA-256").digest(java.util.Arrays.copyOfRange(all, (int) from, to)));
        }
        String expected = HexFormat.of().formatHex(tree.digest());
        assertEquals(expected, FileDigest.of(f, size, 2));
        assertEquals(expected, FileDigest.of(all, 2));
        String plain = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(all));
        assertEquals(plain, FileDigest.of(f, size, 1));
        assertNotEquals(plain, expected);
    }

    @Test
    public void anEmptyFileHasTheHashOfNoChunks() throws Exception {
        Path f = tmp.newFile("empty").toPath();
        String none = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest());
        assertEquals(none, FileDigest.of(f, 0, 2));
        assertEquals(none, FileDigest.of(new byte[0], 2));
    }
}
