package io.hotvirt.itests;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;

import io.hotvirt.api.DomainService;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Arrays;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.Test;
import org.osgi.framework.Bundle;

/**
 * hotvirt's state lives in its data directory, outside Karaf's home (which a rebuild of the
 * distribution deletes), and its settings come from Config Admin: changed at runtime, bad values
 * refused with the previous value kept.
 */
public class StateIT extends HotvirtTestSupport {

    private static final String NAME = PREFIX + "state";

    @Test
    public void theStateIsWrittenToTheDataDirectoryOutsideKarafsHome() throws Exception {
        Path home = Path.of(System.getProperty("karaf.home")).toRealPath();
        assertContains(ok("config:meta io.hotvirt"), "/var/lib/hotvirt"); // the default, from the metatype
        Path data = domains().dataDir();
        assertFalse(data + " is outside Karaf's home " + home, data.toRealPath().startsWith(home));
        assertEquals("rwx------", PosixFilePermissions.toString(Files.getPosixFilePermissions(data)));

        int pid = stray(domains().launch(NAME, List.of("sh", "-c", "while :; do sleep 1; done")).rootPid());
        waitFor("the workload to run", () -> alive(pid) && inDomain(pid, NAME));
        Path image = Path.of(field(ok("checkpoint:dump " + NAME + " --leave-running"), "Image"));
        try {
            assertTrue("the registry names the domain",
                    Files.readString(data.resolve("domains.json")).contains("\"" + NAME + "\""));
            assertTrue("the domain's log", Files.isRegularFile(data.resolve("logs/" + NAME + ".log")));
            assertTrue("the node key", Files.isRegularFile(data.resolve("node.key")));
            assertEquals("rw-------", PosixFilePermissions.toString(
                    Files.getPosixFilePermissions(data.resolve("node.key"))));
            assertEquals("the image", data.resolve("images"), image.getParent());
            // a rebuild deletes Karaf's home: nothing hotvirt needs may be there
            try (Stream<Path> all = Files.walk(home)) {
                List<Path> state = all.filter(p -> List.of("domains.json", "node.key", NAME + ".log")
                        .contains(p.getFileName().toString())).toList();
                assertEquals("hotvirt state inside Karaf's home " + home, List.of(), state);
            }

            // a fresh core and checkpoint (as after a rebuild and restart) find everything in the data directory
            for (String bundle : List.of("io.hotvirt.checkpoint", "io.hotvirt.core")) {
                bundle(bundle).stop();
            }
            for (String bundle : List.of("io.hotvirt.core", "io.hotvirt.checkpoint")) {
                bundle(bundle).start();
            }
            assertContains(ok("domain:list"), NAME);
            assertTrue("the workload runs on", alive(pid));
            assertContains(ok("checkpoint:list"), image.getFileName().toString());
        } finally {
            delete(image);
        }
    }

    @Test
    public void settingsChangeAtRuntimeAndBadValuesAreRefused() throws Exception {
        Path data = domains().dataDir();
        Path moved = data.resolveSibling(data.getFileName() + "-moved");
        Path images = tempDir().resolve("images");
        try {
            // a valid change: the monitor restarts on the new data directory, made 0700
            ok("config:property-set -p io.hotvirt dataDir " + moved);
            waitFor("the data directory to move", () -> moved.equals(dataDir()));
            assertEquals("rwx------", PosixFilePermissions.toString(Files.getPosixFilePermissions(moved)));

            // bad values: each refused in the log, the previous value (not the default) kept
            ok("config:property-set -p io.hotvirt dataDir relative/dir");
            waitForLog("io.hotvirt: dataDir = 'relative/dir' refused: not an absolute path");
            waitFor("the monitor to run on " + moved, () -> moved.equals(dataDir()));
            ok("config:property-set -p io.hotvirt launchTimeoutMillis 0");
            waitForLog("io.hotvirt: launchTimeoutMillis = '0' refused: not a positive number of milliseconds;"
                    + " keeping 5000 ms");
            ok("config:property-set -p io.hotvirt cgroupRoot a/b");
            waitForLog("io.hotvirt: cgroupRoot = 'a/b' refused: not a plain cgroup directory name");
            waitFor("the monitor to run on " + moved, () -> moved.equals(dataDir()));

            // the checkpoint capability's own PID
            ok("config:property-set -p io.hotvirt.checkpoint imagesDir " + images);
            waitFor("the images directory to change", () -> shell("checkpoint:list").out.contains(images.toString()));
            ok("config:property-set -p io.hotvirt.checkpoint imagesDir images");
            waitForLog("io.hotvirt.checkpoint: imagesDir = 'images' refused: not an absolute path");
            ok("config:property-set -p io.hotvirt.checkpoint seizeTimeoutMillis soon");
            waitForLog("io.hotvirt.checkpoint: seizeTimeoutMillis = 'soon' refused: not a number of milliseconds;"
                    + " keeping 5000 ms");
            assertContains(ok("checkpoint:list"), images.toString());
        } finally {
            // config:edit … config:update: several values, one change
            ok("config:edit io.hotvirt.checkpoint; config:property-set imagesDir ''; config:property-set"
                    + " seizeTimeoutMillis 5000; config:update");
            ok("config:edit io.hotvirt; config:property-set launchTimeoutMillis 5000; config:property-set"
                    + " cgroupRoot " + CGROUP_ROOT + "; config:property-set dataDir " + data + "; config:update");
            waitFor("the data directory to come back", () -> data.equals(dataDir()));
            delete(moved);
        }
    }

    /** The data directory of the DomainService registered now, null while there is none. */
    private Path dataDir() {
        var ref = bundleContext.getServiceReference(DomainService.class);
        DomainService service = ref == null ? null : bundleContext.getService(ref);
        try {
            return service == null ? null : service.dataDir();
        } catch (RuntimeException e) {
            return null; // unregistered meanwhile
        }
    }

    /** Reads Karaf's log file (not log:display, whose every output the shell helper echoes). */
    private static void waitForLog(String message) throws InterruptedException {
        Path log = Path.of(System.getProperty("karaf.data"), "log", "karaf.log");
        waitFor("«" + message + "» in " + log, () -> {
            try {
                return Files.readString(log).contains(message);
            } catch (IOException e) {
                return false;
            }
        });
    }

    private Bundle bundle(String symbolicName) {
        return Arrays.stream(bundleContext.getBundles()).filter(b -> symbolicName.equals(b.getSymbolicName()))
                .findFirst().orElseThrow(() -> new AssertionError("bundle " + symbolicName + " not installed"));
    }

    private static String field(String text, String key) {
        Matcher m = Pattern.compile("(?m)^" + key + "\\s*: (\\S+)").matcher(text);
        assertTrue("no " + key + " in:\n" + text, m.find());
        return m.group(1);
    }

    private static void delete(Path dir) throws IOException {
        if (Files.exists(dir)) {
            try (Stream<Path> walk = Files.walk(dir)) {
                walk.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }
}
