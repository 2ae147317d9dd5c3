package io.hotvirt.core;

import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;
import org.slf4j.LoggerFactory;

import java.lang.reflect.Proxy;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

/** io.hotvirt's settings: defaults, good values taken, each bad value refused with the previous one kept. */
public class CoreSettingsTest {

    @Rule
    public final TemporaryFolder tmp = new TemporaryFolder();

    private final List<String> refusals = new ArrayList<>();

    /** A CoreConfig as Config Admin would hand it over: the given values, the defaults for the rest. */
    private static CoreConfig config(Map<String, String> values) {
        return (CoreConfig) Proxy.newProxyInstance(CoreConfig.class.getClassLoader(), new Class<?>[] {CoreConfig.class},
                (proxy, method, args) -> values.containsKey(method.getName()) ? values.get(method.getName())
                        : method.getDefaultValue());
    }

    @Test
    public void theDefaultsKeepStateOutsideAnyBuild() {
        CoreSettings s = CoreSettings.read(config(Map.of()), CoreSettings.DEFAULTS, refusals::add);
        assertEquals(new CoreSettings(Path.of("/var/lib/hotvirt"), "hotvirt", Duration.ofSeconds(5)), s);
        assertEquals(CoreSettings.DEFAULTS, s);
        assertEquals(List.of(), refusals);
    }

    @Test
    public void goodValuesAreTaken() {
        CoreSettings s = CoreSettings.read(config(Map.of("dataDir", " /srv/hotvirt/../hv ", "cgroupRoot", "hv-1.test",
                "launchTimeoutMillis", "250")), CoreSettings.DEFAULTS, refusals::add);
        assertEquals(new CoreSettings(Path.of("/srv/hv"), "hv-1.test", Duration.ofMillis(250)), s);
        assertEquals(List.of(), refusals);
    }

    @Test
    public void eachBadValueIsRefusedAndThePreviousKept() {
        CoreSettings previous = new CoreSettings(Path.of("/srv/hv"), "hv", Duration.ofMillis(700));
        CoreSettings s = CoreSettings.read(config(Map.of("dataDir", "srv/hv", "cgroupRoot", "a/b",
                "launchTimeoutMillis", "-5")), previous, refusals::add);
        assertEquals(previous, s);
        assertEquals(List.of(
                "io.hotvirt: dataDir = 'srv/hv' refused: not an absolute path (a relative one would depend on the"
                        + " directory Karaf was started from); keeping /srv/hv (fix it with config:property-set -p"
                        + " io.hotvirt dataDir VALUE, or in etc/io.hotvirt.cfg)",
                "io.hotvirt: cgroupRoot = 'a/b' refused: not a plain cgroup directory name (1 to 64 letters, digits,"
                        + " '_', '.' or '-', starting with a letter or digit); keeping hv (fix it with"
                        + " config:property-set -p io.hotvirt cgroupRoot VALUE, or in etc/io.hotvirt.cfg)",
                "io.hotvirt: launchTimeoutMillis = '-5' refused: not a positive number of milliseconds; keeping 700 ms"
                        + " (fix it with config:property-set -p io.hotvirt launchTimeoutMillis VALUE, or in"
                        + " etc/io.hotvirt.cfg)"), refusals);
    }

    @Test
    public void otherBadValues() {
        for (Map<String, String> bad : List.of(Map.of("dataDir", ""), Map.of("dataDir", "/etc/hostname"),
                Map.of("cgroupRoot", ".."),
                Map.of("cgroupRoot", "-x"), Map.of("cgroupRoot", "x".repeat(65)), Map.of("cgroupRoot", "a b"),
                Map.of("launchTimeoutMillis", "0"), Map.of("launchTimeoutMillis", "5s"))) {
            refusals.clear();
            assertEquals(bad.toString(), CoreSettings.DEFAULTS, CoreSettings.read(config(bad), CoreSettings.DEFAULTS,
                    refusals::add));
            assertEquals(bad + " refused: " + refusals, 1, refusals.size());
        }
    }

    @Test
    public void aMissingDataDirectoryIsMadePrivate() throws Exception {
        Path dir = tmp.getRoot().toPath().resolve("state/hotvirt");
        DataDirectory.prepare(dir, tmp.newFolder("karaf").toString(), LoggerFactory.getLogger(getClass()));
        assertTrue(Files.isDirectory(dir));
        assertEquals("rwx------", PosixFilePermissions.toString(Files.getPosixFilePermissions(dir)));
    }
}
