package io.hotvirt.itests;

import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertNotNull;
import static org.junit.Assert.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import org.junit.Test;
import org.osgi.framework.Bundle;

/**
 * checkpoint:* never follows a name an image gives outside it, relative image paths are taken in
 * the image directory, and partial images left by dumps are shown and removed.
 */
public class ImageSafetyIT extends HotvirtTestSupport {

    private static final String NAME = PREFIX + "img";

    /** A real image of a small domain, left running; returns its path (its parent is the image directory). */
    private Path image() throws Exception {
        stray(domains().launch(NAME, List.of("sh", "-c", "while :; do sleep 1; done")).rootPid());
        String dump = ok("checkpoint:dump " + NAME + " --leave-running");
        return Path.of(dump.lines().filter(l -> l.startsWith("Image")).findFirst().orElseThrow()
                .replaceFirst("^Image\\s*: ", "").trim());
    }

    @Test
    public void handMadeManifestCannotDeleteOutsideTheImage() throws Exception {
        Path image = image();
        Path images = image.getParent();
        Path victim = Files.writeString(images.resolve(PREFIX + "victim"), "keep me");
        Path evil = Files.createDirectory(images.resolve(PREFIX + "evil"));
        try {
            // the manifest of a real image, its file list pointing outside, its MAC left as it was
            String manifest = Files.readString(image.resolve("manifest.json"), StandardCharsets.UTF_8)
                    .replace("\"domain.json\"", "\"../" + PREFIX + "victim\"");
            Files.writeString(evil.resolve("manifest.json"), manifest);
            assertContains(failing("checkpoint:delete " + PREFIX + "evil"), "MAC does not match");
            assertTrue("the file outside the image survives", Files.exists(victim));
            assertTrue(Files.exists(evil.resolve("manifest.json")));

            // the real image is deleted, by a relative path taken in the image directory
            assertContains(ok("checkpoint:verify ./" + image.getFileName()), "OK");
            assertContains(ok("checkpoint:delete ./" + image.getFileName()), "Deleted");
            assertFalse(Files.exists(image));
        } finally {
            Files.deleteIfExists(victim);
            Files.deleteIfExists(evil.resolve("manifest.json"));
            Files.deleteIfExists(evil);
        }
    }

    @Test
    public void notAnImageAndPathsOutsideAreNamed() throws Exception {
        assertContains(failing("checkpoint:show /etc"), "/etc is not a hotvirt image: it has no manifest.json");
        assertContains(failing("checkpoint:verify /etc"), "/etc is not a hotvirt image: it has no manifest.json");
        assertContains(failing("checkpoint:show ../../etc"), "leads out of the image directory");
        assertContains(failing("checkpoint:delete .."), "leads out of the image directory");
    }

    @Test
    public void partialImagesAreListedDeletedAndSwept() throws Exception {
        Path images = image().getParent();
        Path partial = partial(images, "a");
        String all = ok("checkpoint:list --all");
        assertContains(all, partial.getFileName().toString());
        assertContains(all, "partial");
        assertFalse(ok("checkpoint:list").contains(partial.getFileName().toString()));
        assertContains(failing("checkpoint:show " + partial.getFileName()), "partial image");
        assertContains(ok("checkpoint:delete " + partial.getFileName()), "Deleted");
        assertFalse(Files.exists(partial));

        // a failed dump sweeps what earlier ones left
        partial = partial(images, "b");
        failing("checkpoint:dump " + NAME + " --leave-running --dir /proc/" + PREFIX + "nowhere");
        assertFalse("swept after a failed dump", Files.exists(partial));

        // so does the checkpoint service when it starts
        partial = partial(images, "c");
        Bundle checkpoint = Arrays.stream(bundleContext.getBundles())
                .filter(b -> "io.hotvirt.checkpoint".equals(b.getSymbolicName())).findFirst().orElse(null);
        assertNotNull(checkpoint);
        checkpoint.stop();
        checkpoint.start();
        ok("checkpoint:list"); // waits for the commands, so for the service
        assertFalse("swept when the checkpoint service started", Files.exists(partial));
    }

    /** What a dump killed with the JVM leaves: {@code .NAME.partial} with some of its files. */
    private static Path partial(Path images, String tag) throws Exception {
        Path p = Files.createDirectory(images.resolve("." + NAME + "-" + tag + "-20260101-000000.partial"));
        Files.write(p.resolve("pages-1.img"), new byte[4096]);
        return p;
    }
}
