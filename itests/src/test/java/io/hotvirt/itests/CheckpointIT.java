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
 * domain after the image is complete. Then restore: a round trip of a self-checking workload, and the
 * refusals (a name in use, a damaged image).
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

    private static final String RS = PREFIX + "rs";
    private static final String FLIP = PREFIX + "flip";

    /**
     * The round trip: a self-checking shell loop (counts in memory, appends each count to a file,
     * answers SIGUSR1 with PASS when the file's last line is its count) under --cpus 0.5 is dumped
     * (and so killed), restored with the same root PID and its cpu settings, and counts on.
     */
    @Test
    public void dumpRestoreAndTheWorkloadCountsOn() throws Exception {
        Path dir = tempDir();
        Path count = dir.resolve("count");
        Path result = dir.resolve("result");
        String script = "i=0; trap 'if [ \"$(tail -n 1 " + count + ")\" = \"$i\" ]; then echo PASS $i; else echo FAIL $i;"
                + " fi >> " + result + "' USR1; while :; do i=$((i+1)); echo $i >> " + count + "; sleep 0.1; done";
        int pid = stray(domains().launch(RS, List.of("sh", "-c", script)).rootPid());
        waitFor("the workload to count to 5", () -> lines(count).size() >= 5);
        ok("cpu:set " + RS + " --cpus 0.5");
        Path image = null;
        try {
            String dump = ok("checkpoint:dump " + RS);
            image = Path.of(field(dump, "Image"));
            String imageName = image.getFileName().toString();
            waitFor("domain " + RS + " to exit", () -> exited(RS));
            List<String> before = lines(count);
            assertConsecutive(before);
            assertContains(ok("checkpoint:show " + imageName), "cpu {cpus=0.5}");
            ok("domain:remove " + RS);

            String restored = ok("checkpoint:restore " + imageName);
            assertContains(restored, "Domain    : " + RS);
            assertContains(restored, "Root PID  : " + pid);
            assertContains(restored, "read-only areas mapped from the image, writable ones copied");
            String list = ok("domain:list");
            assertTrue(list, list.lines().anyMatch(l -> l.startsWith(RS + " ") && l.contains("RUNNING")
                    && l.contains(" " + pid + " ") && l.contains("restored")));
            assertTrue(inDomain(pid, RS));
            assertEquals("the root's command line, as the image saved it", List.of("sh", "-c", script),
                    domains().find(RS).orElseThrow().command());
            assertTrue("the saved cpu settings are in force", domains().find(RS).orElseThrow().capabilities()
                    .contains("cpu"));
            assertContains(ok("cpu:show " + RS), "0.5");

            int n = before.size();
            waitFor("the restored workload to count past " + n, () -> lines(count).size() >= n + 5);
            assertConsecutive(lines(count));
            assertEquals(0, new ProcessBuilder("kill", "-USR1", String.valueOf(pid)).start().waitFor());
            waitFor("the workload to answer SIGUSR1", () -> !lines(result).isEmpty());
            assertTrue(lines(result).toString(), lines(result).get(0).startsWith("PASS "));
        } finally {
            deleteImages(RS);
        }
    }

    /** A name in use and a damaged image are refused with a message, and no domain appears. */
    @Test
    public void restoreRefusesANameInUseAndADamagedImage() throws Exception {
        int pid = stray(domains().launch(RS, List.of("sh", "-c", LOOP)).rootPid());
        waitFor("the workload to run", () -> alive(pid) && inDomain(pid, RS));
        Path image = Path.of(field(ok("checkpoint:dump " + RS + " --leave-running"), "Image"));
        String imageName = image.getFileName().toString();
        try {
            assertContains(failing("checkpoint:restore " + imageName),
                    "domain " + RS + " exists: restore with --name NEW");
            assertContains(failing("checkpoint:restore " + imageName + " --name " + RS),
                    "domain " + RS + " exists");
            assertTrue("the domain runs on", alive(pid));

            Path domainJson = image.resolve("domain.json");
            flip(domainJson, 10);
            assertContains(failing("checkpoint:restore " + imageName + " --name " + FLIP),
                    "domain.json checksum mismatch");
            assertFalse(domains().find(FLIP).isPresent());
            flip(domainJson, 10);

            Path pages = image.resolve("pages-" + pid + ".img");
            flip(pages, 100);
            String bad = failing("checkpoint:restore " + imageName + " --name " + FLIP + " --copy");
            assertFalse("no domain appears", domains().find(FLIP).isPresent());
            assertContains(bad, "pages-" + pid + ".img");
            assertContains(bad, "checksum mismatch");
        } finally {
            deleteImages(RS);
        }
    }

    private static void flip(Path file, long offset) throws Exception {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
            ByteBuffer b = ByteBuffer.allocate(1);
            ch.read(b, offset);
            ch.write(ByteBuffer.wrap(new byte[] {(byte) (b.get(0) ^ 0xff)}), offset);
        }
    }

    private boolean exited(String name) {
        try {
            return domains().find(name).map(i -> i.state() == DomainState.EXITED).orElse(false);
        } catch (InterruptedException e) {
            throw new IllegalStateException(e);
        }
    }

    private static List<String> lines(Path file) {
        try {
            return Files.exists(file) ? Files.readAllLines(file) : List.of();
        } catch (java.io.IOException e) {
            return List.of();
        }
    }

    /** 1, 2, 3 … n: nothing lost, nothing counted twice across the checkpoint. */
    private static void assertConsecutive(List<String> lines) {
        for (int i = 0; i < lines.size(); i++) {
            assertEquals("line " + (i + 1) + " of " + lines, String.valueOf(i + 1), lines.get(i));
        }
    }

    private void deleteImages(String domain) throws Exception {
        Path dir = domains().dataDir().resolve("images");
        if (!Files.isDirectory(dir)) {
            return;
        }
        try (Stream<Path> s = Files.list(dir)) {
            for (Path p : s.filter(p -> p.getFileName().toString().startsWith(domain + "-")).toList()) {
                try (Stream<Path> walk = Files.walk(p)) {
                    walk.sorted(java.util.Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
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
