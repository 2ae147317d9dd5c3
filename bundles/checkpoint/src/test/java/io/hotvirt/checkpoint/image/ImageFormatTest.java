package io.hotvirt.checkpoint.image;

import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;
import static org.junit.Assert.fail;

public class ImageFormatTest {

    @Rule
    public final TemporaryFolder tmp = new TemporaryFolder();

    private NodeKeyStore keys() throws IOException {
        return new NodeKeyStore(tmp.getRoot().toPath().resolve("etc/hotvirt"));
    }

    /** An image of one fake process: 3 pages in two runs (one resident, one swapped). */
    private Path writeImage(NodeKeyStore keys) throws IOException {
        Path images = tmp.getRoot().toPath().resolve("images");
        try (ImageWriter w = ImageWriter.create(images, "img1", keys, "node-a")) {
            try (ImageFile pages = w.file(ImageFormat.pagesFile(42));
                 ImageFile idxFile = w.file(ImageFormat.pageIndexFile(42));
                 PageIndexWriter idx = new PageIndexWriter(idxFile)) {
                for (int p = 0; p < 3; p++) {
                    ByteBuffer b = ByteBuffer.allocate(ImageFormat.PAGE_SIZE);
                    while (b.hasRemaining()) {
                        b.put((byte) (p + 1));
                    }
                    b.flip();
                    idx.add(new PageRun(0x10000 + p * 4096L, 1, pages.size(), p < 2 ? PageKind.RESIDENT : PageKind.SWAPPED));
                    pages.writeFully(b);
                }
            }
            w.json(ImageFormat.processFile(42), Map.of("pid", 42));
            assertTrue(Files.isDirectory(images.resolve(".img1.partial")));
            return w.commit(List.of(42), new DumpStats(2, 1, 1, 0, 0, 3 * 4096, 5, 7));
        }
    }

    @Test
    public void roundTripVerifiesAndIndexMergesRuns() throws Exception {
        NodeKeyStore keys = keys();
        Path image = writeImage(keys);
        assertFalse("the partial directory is renamed away", Files.exists(image.resolveSibling(".img1.partial")));
        assertEquals("rwx------", PosixFilePermissions.toString(Files.getPosixFilePermissions(image)));
        try (var files = Files.list(image)) {
            for (Path f : files.toList()) {
                assertEquals(f.toString(), "rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(f)));
            }
        }
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(keys.file())));
        assertEquals(3 * 4096, Files.size(image.resolve(ImageFormat.pagesFile(42))));

        ImageVerifier.Result r = new ImageVerifier(keys).verify(image);
        assertTrue(r.toString(), r.ok());
        assertEquals("node-a", r.manifest().node());
        assertEquals(1, r.manifest().stats().swapDirectPages());
        assertEquals(List.of(42), r.manifest().processes());

        List<PageRun> runs = new ArrayList<>();
        PageIndexReader.forEach(image.resolve(ImageFormat.pageIndexFile(42)), runs::add);
        assertEquals(List.of(new PageRun(0x10000, 2, 0, PageKind.RESIDENT),
                new PageRun(0x12000, 1, 8192, PageKind.SWAPPED)), runs);
    }

    @Test
    public void flippedByteIsNamed() throws Exception {
        NodeKeyStore keys = keys();
        Path image = writeImage(keys);
        Path pages = image.resolve(ImageFormat.pagesFile(42));
        try (RandomAccessFile f = new RandomAccessFile(pages.toFile(), "rw")) {
            f.seek(5000);
            int b = f.read();
            f.seek(5000);
            f.write(b ^ 0x01);
        }
        ImageVerifier.Result r = new ImageVerifier(keys).verify(image);
        assertFalse(r.ok());
        assertEquals(r.toString(), 1, r.problems().size());
        assertTrue(r.toString(), r.problems().get(0).startsWith("file pages-42.img checksum mismatch"));
    }

    @Test
    public void truncatedPageFileIsNamed() throws Exception {
        NodeKeyStore keys = keys();
        Path image = writeImage(keys);
        try (RandomAccessFile f = new RandomAccessFile(image.resolve(ImageFormat.pagesFile(42)).toFile(), "rw")) {
            f.setLength(4096);
        }
        ImageVerifier.Result r = new ImageVerifier(keys).verify(image);
        assertEquals(r.toString(), List.of("file pages-42.img is 4096 bytes, manifest says 12288 (truncated)"), r.problems());
    }

    @Test
    public void missingManifestIsNamed() throws Exception {
        NodeKeyStore keys = keys();
        Path image = writeImage(keys);
        Files.delete(image.resolve(ImageFormat.MANIFEST));
        ImageVerifier.Result r = new ImageVerifier(keys).verify(image);
        assertEquals(1, r.problems().size());
        assertTrue(r.toString(), r.problems().get(0).startsWith("missing manifest"));
    }

    /** A restore reads the image again after verifying it: only hotvirt's user may be able to change it. */
    @Test
    public void anImageOthersCouldChangeIsRefused() throws Exception {
        NodeKeyStore keys = keys();
        Path image = writeImage(keys);
        Path pages = image.resolve(ImageFormat.pagesFile(42));

        Files.setPosixFilePermissions(pages, PosixFilePermissions.fromString("rw-rw-rw-"));
        assertOneProblem(keys, image, pages + " can be changed by its group or others (owner");
        Files.setPosixFilePermissions(pages, PosixFilePermissions.fromString("rw-------"));

        Files.setPosixFilePermissions(image, PosixFilePermissions.fromString("rwxrwxr-x"));
        assertOneProblem(keys, image, image + " can be changed by its group or others");
        Files.setPosixFilePermissions(image, PosixFilePermissions.fromString("rwx------"));

        Path parent = image.getParent();
        Files.setPosixFilePermissions(parent, PosixFilePermissions.fromString("rwxrwxrwx"));
        assertOneProblem(keys, image, "the image's directory " + parent + " can be written by its group or others");
        Files.setPosixFilePermissions(parent, PosixFilePermissions.fromString("rwxr-xr-x"));

        Path elsewhere = tmp.newFile("elsewhere.img").toPath();
        Files.copy(pages, elsewhere, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        Files.delete(pages);
        Files.createSymbolicLink(pages, elsewhere);
        assertOneProblem(keys, image, pages + " is not a regular file but a symbolic link");
    }

    private static void assertOneProblem(NodeKeyStore keys, Path image, String start) throws IOException {
        ImageVerifier.Result r = new ImageVerifier(keys).verify(image);
        assertEquals(r.toString(), 1, r.problems().size());
        assertTrue(r.toString(), r.problems().get(0).startsWith(start));
    }

    @Test
    public void otherNodesKeyIsAWrongMac() throws Exception {
        Path image = writeImage(keys());
        NodeKeyStore other = new NodeKeyStore(tmp.getRoot().toPath().resolve("other-node"));
        ImageVerifier.Result r = new ImageVerifier(other).verify(image);
        assertEquals(r.toString(), 1, r.problems().size());
        assertTrue(r.toString(), r.problems().get(0).startsWith("wrong MAC"));
        assertTrue(r.toString(), r.problems().get(0).contains("node-a"));
    }

    @Test
    public void editedManifestIsAWrongMac() throws Exception {
        NodeKeyStore keys = keys();
        Path image = writeImage(keys);
        Path m = image.resolve(ImageFormat.MANIFEST);
        Files.writeString(m, Files.readString(m).replace("\"node-a\"", "\"node-b\""));
        ImageVerifier.Result r = new ImageVerifier(keys).verify(image);
        assertTrue(r.toString(), r.problems().get(0).startsWith("wrong MAC"));
    }

    @Test
    public void abortedImageLeavesNothing() throws Exception {
        Path images = tmp.getRoot().toPath().resolve("images");
        try (ImageWriter w = ImageWriter.create(images, "img2", keys(), "node-a")) {
            try (ImageFile f = w.file("pages-1.img")) {
                f.writeFully(ByteBuffer.allocate(4096));
            }
            // no commit: an error mid-way
        }
        try (var files = Files.list(images)) {
            assertEquals(List.of(), files.toList());
        }
    }

    @Test
    public void keyIsMadeOnceAndKept() throws Exception {
        NodeKeyStore keys = keys();
        byte[] a = keys.key();
        assertEquals(32, a.length);
        assertEquals(ByteBuffer.wrap(a), ByteBuffer.wrap(new NodeKeyStore(keys.file().getParent()).key()));
        assertEquals("rwx------", PosixFilePermissions.toString(Files.getPosixFilePermissions(keys.file().getParent())));
    }

    @Test
    public void existingImageIsNotOverwritten() throws Exception {
        NodeKeyStore keys = keys();
        Path image = writeImage(keys);
        try (ImageWriter w = ImageWriter.create(image.getParent(), "img1", keys, "node-a")) {
            fail("created over an existing image");
        } catch (java.nio.file.FileAlreadyExistsException expected) {
            // good
        }
    }
}
