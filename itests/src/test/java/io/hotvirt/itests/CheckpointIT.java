package io.hotvirt.itests;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;

import io.hotvirt.api.DomainState;
import java.nio.channels.FileChannel;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.Test;

/**
 * checkpoint:* as a user drives it: dump a running domain leaving it running, list, show and verify
 * the image, catch a flipped byte, delete it; then dump without --leave-running, which kills the
 * domain after the image is complete.
 */
public class CheckpointIT extends HotvirtTestSupport {

    private static final String NAME = PREFIX + "cp";
    private static final String LOOP = "while :; do sleep 1; done";

    @Test
    public void dumpListShowVerifyDeleteAndKill() throws Exception {
        int pid = stray(domains().launch(NAME, List.of("sh", "-c", LOOP)).rootPid());
        waitFor("the workload to run", () -> alive(pid) && inDomain(pid, NAME));

        String dump = ok("checkpoint:dump " + NAME + " --leave-running");
        assertContains(dump, "left running");
        assertContains(dump, "Frozen");
        Path image = Path.of(field(dump, "Image"));
        try {
            assertTrue(Files.isDirectory(image));
            assertEquals("rwx------", PosixFilePermissions.toString(Files.getPosixFilePermissions(image)));
            assertEquals(DomainState.RUNNING, domains().find(NAME).orElseThrow().state());
            assertTrue("the workload runs on", alive(pid));
            assertFalse("released", Files.readString(Path.of("/proc/" + pid + "/status")).lines()
                    .anyMatch(l -> l.startsWith("TracerPid:") && !l.endsWith("\t0")));
            String name = image.getFileName().toString();

            String list = ok("checkpoint:list");
            assertContains(list, name);
            assertContains(list, NAME);
            assertContains(list, "MAC ok");

            String show = ok("checkpoint:show " + name);
            assertContains(show, "Process tree:");
            assertContains(show, pid + " sh");
            assertContains(show, "Statistics:");

            assertContains(ok("checkpoint:verify " + name), "OK");

            // flip one byte of the root's page file: verify names the file
            Path pages = image.resolve("pages-" + pid + ".img");
            assertTrue(Files.size(pages) > 0);
            try (FileChannel ch = FileChannel.open(pages, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
                ByteBuffer b = ByteBuffer.allocate(1);
                ch.read(b, 100);
                b.flip();
                byte flipped = (byte) (b.get(0) ^ 0xff);
                ch.write(ByteBuffer.wrap(new byte[] {flipped}), 100);
            }
            String bad = failing("checkpoint:verify " + image);
            assertContains(bad, "pages-" + pid + ".img checksum mismatch");

            assertContains(ok("checkpoint:delete " + name), "Deleted");
            assertFalse(Files.exists(image));
            assertFalse(ok("checkpoint:list").contains(name));

            // without --leave-running: the image is made, then the domain is killed
            String kill = ok("checkpoint:dump " + NAME);
            assertContains(kill, "killed");
            image = Path.of(field(kill, "Image"));
            waitFor("domain " + NAME + " to exit", () -> {
                try {
                    return domains().find(NAME).map(i -> i.state() == DomainState.EXITED).orElse(false);
                } catch (InterruptedException e) {
                    throw new IllegalStateException(e);
                }
            });
            assertContains(ok("domain:list"), "EXITED");
            assertFalse(alive(pid));
            assertContains(ok("checkpoint:verify " + image.getFileName()), "OK");
            assertContains(failing("checkpoint:dump " + NAME), "exited");
        } finally {
            Path dir = image.getParent();
            try (Stream<Path> s = Files.list(dir)) {
                for (Path p : s.filter(p -> p.getFileName().toString().startsWith(NAME + "-")).toList()) {
                    try (Stream<Path> walk = Files.walk(p)) {
                        walk.sorted(java.util.Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
                    }
                }
            }
        }
    }

    private static String field(String text, String key) {
        Matcher m = Pattern.compile("(?m)^" + key + "\\s*: (\\S+)").matcher(text);
        assertTrue("no " + key + " in:\n" + text, m.find());
        return m.group(1);
    }
}
