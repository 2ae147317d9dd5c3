package io.hotvirt.checkpoint;

import io.hotvirt.checkpoint.image.DumpStats;
import io.hotvirt.checkpoint.image.FileEntry;
import io.hotvirt.checkpoint.image.ImageFormat;
import io.hotvirt.checkpoint.image.ImageMac;
import io.hotvirt.checkpoint.image.ImageWriter;
import io.hotvirt.checkpoint.image.Manifest;
import io.hotvirt.checkpoint.image.ManifestCodec;
import io.hotvirt.checkpoint.image.NodeKeyStore;
import io.hotvirt.checkpoint.image.PartialImages;
import org.junit.Before;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;
import static org.junit.Assert.fail;

/**
 * Names an image gives (its manifest's file list) never reach outside the image, a manifest is
 * obeyed only when its MAC checks out, relative image paths are taken inside the image directory,
 * and partial images are listed and removed.
 */
public class ImageCatalogSafetyTest {

    @Rule
    public final TemporaryFolder tmp = new TemporaryFolder();

    private Path images;
    private NodeKeyStore keys;
    private ImageCatalog catalog;
    private Path victim;

    @Before
    public void setUp() throws IOException {
        Path home = tmp.getRoot().toPath().resolve("hotvirt");
        images = Files.createDirectories(home.resolve("images"));
        keys = new NodeKeyStore(home);
        catalog = new ImageCatalog(images, keys);
        victim = Files.writeString(home.resolve("victim"), "not part of any image");
    }

    /** A directory with a manifest listing {@code names}, MAC'ed with the node key when {@code signed}. */
    private Path handMade(String image, boolean signed, String... names) throws IOException {
        Path dir = Files.createDirectories(images.resolve(image));
        List<FileEntry> files = java.util.Arrays.stream(names).map(n -> new FileEntry(n, 1, "00")).toList();
        Manifest m = new Manifest(ImageFormat.VERSION, "node", "2026-01-01T00:00:00Z", List.of(1), files,
                new DumpStats(0, 0, 0, 0, 0, 0, 0, 0), "00");
        if (signed) {
            m = m.withMac(ImageMac.compute(keys.key(), m));
        }
        Files.write(dir.resolve(ImageFormat.MANIFEST), ManifestCodec.write(m));
        return dir;
    }

    private void assertRefused(String image, String fragment) throws IOException {
        try {
            catalog.delete(catalog.resolve(image));
            fail("checkpoint:delete " + image + " should be refused");
        } catch (IllegalArgumentException e) {
            assertTrue(e.getMessage(), e.getMessage().contains(fragment));
        }
        assertTrue("the file outside the image survives", Files.exists(victim));
    }

    @Test
    public void handMadeManifestNamingParentIsNotObeyed() throws IOException {
        handMade("evil", false, "../victim");
        assertRefused("evil", "MAC does not match");
    }

    @Test
    public void signedManifestNamingParentOrAbsolutePathIsRefused() throws IOException {
        handMade("evil", true, "../victim");
        assertRefused("evil", "not a plain file name");
        handMade("evil2", true, victim.toString());
        assertRefused("evil2", "not a plain file name");
    }

    @Test
    public void signedManifestNamingSymlinkIsRefused() throws IOException {
        Path dir = handMade("linked", true, "pages-1.img");
        Files.createSymbolicLink(dir.resolve("pages-1.img"), victim);
        assertRefused("linked", "symbolic link");
        assertTrue("the link is left alone", Files.isSymbolicLink(dir.resolve("pages-1.img")));
    }

    @Test
    public void imageDirectoryThroughSymlinkIsRefused() throws IOException {
        Path real = handMade("real", true);
        Files.createSymbolicLink(images.resolve("alias"), real);
        assertRefused("alias", "symbolic link");
        assertTrue(Files.exists(real.resolve(ImageFormat.MANIFEST)));
    }

    @Test
    public void realImageIsDeleted() throws IOException {
        Path image;
        try (ImageWriter w = ImageWriter.create(images, "good", keys, "node")) {
            w.json(ImageFormat.processFile(1), Map.of("pid", 1));
            image = w.commit(List.of(1), new DumpStats(0, 0, 0, 0, 0, 0, 0, 0));
        }
        catalog.delete(catalog.resolve("good"));
        assertFalse(Files.exists(image));
    }

    @Test
    public void relativePathsAreTakenInsideTheImageDirectory() throws IOException {
        Path img = handMade("sub/img", true);
        assertEquals(img, catalog.resolve("sub/img"));
        assertEquals(img, catalog.resolve("sub/../sub/img"));
        for (String outside : List.of("..", "../victim", "sub/../../x", ".")) {
            try {
                catalog.resolve(outside);
                fail(outside + " leads out of the image directory");
            } catch (IllegalArgumentException e) {
                assertTrue(e.getMessage(), e.getMessage().contains("image directory"));
            }
        }
    }

    @Test
    public void aDirectoryWithoutManifestIsNotAnImage() throws IOException {
        Path etc = Files.createDirectories(tmp.getRoot().toPath().resolve("etc"));
        try {
            catalog.read(catalog.resolve(etc.toString()));
            fail("no manifest: not an image");
        } catch (IllegalArgumentException e) {
            assertTrue(e.getMessage(), e.getMessage().startsWith(etc + " is not a hotvirt image: it has no manifest.json"));
        }
    }

    @Test
    public void partialImagesAreListedDeletedAndSwept() throws IOException {
        Path partial = Files.createDirectories(images.resolve(ImageFormat.partialName("w1-20260101-000000")));
        Files.write(partial.resolve("pages-1.img"), new byte[8192]);
        Files.createSymbolicLink(partial.resolve("link"), victim);
        List<ImageCatalog.Entry> all = catalog.list(true);
        assertEquals(1, all.size());
        assertEquals(".w1-20260101-000000.partial", all.get(0).name());
        assertEquals(ImageCatalog.PARTIAL, all.get(0).check());
        assertEquals(8192, all.get(0).bytes());
        assertTrue("not shown without --all", catalog.list(false).isEmpty());
        try {
            catalog.read(catalog.resolve(".w1-20260101-000000.partial"));
            fail("a partial image cannot be shown");
        } catch (IllegalArgumentException e) {
            assertTrue(e.getMessage(), e.getMessage().contains("partial image"));
        }

        catalog.delete(catalog.resolve(".w1-20260101-000000.partial"));
        assertFalse(Files.exists(partial));
        assertTrue("links inside are removed, not followed", Files.exists(victim));

        Path kept = Files.createDirectories(images.resolve(ImageFormat.partialName("w2-1")));
        Path stale = Files.createDirectories(images.resolve(ImageFormat.partialName("w3-1")));
        Files.writeString(stale.resolve("x"), "x", StandardCharsets.UTF_8);
        assertEquals(List.of(stale), PartialImages.sweep(images, Set.of(kept.toAbsolutePath().normalize())));
        assertTrue("a dump writing it keeps it", Files.exists(kept));
        assertFalse(Files.exists(stale));
    }

    /** Only the image directory's partials: a directory elsewhere that merely looks like one is not deleted. */
    @Test
    public void aPartialLookingDirectoryOutsideTheImageDirectoryIsNotDeleted() throws IOException {
        Path elsewhere = Files.createDirectories(tmp.getRoot().toPath().resolve(".cache.partial"));
        Files.writeString(elsewhere.resolve("precious"), "someone's data");
        try {
            catalog.delete(catalog.resolve(elsewhere.toString()));
            fail("checkpoint:delete of " + elsewhere + " should be refused");
        } catch (IllegalArgumentException e) {
            assertTrue(e.getMessage(), e.getMessage().contains("not one of the image directory"));
        }
        assertTrue(Files.exists(elsewhere.resolve("precious")));
    }
}
