package io.hotvirt.checkpoint;

import org.junit.Test;

import java.lang.reflect.Proxy;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.junit.Assert.assertEquals;

/** io.hotvirt.checkpoint's settings: the images go to the data directory unless told, bad values are refused. */
public class CheckpointSettingsTest {

    private final List<String> refusals = new ArrayList<>();

    private static CheckpointConfig config(Map<String, String> values) {
        return (CheckpointConfig) Proxy.newProxyInstance(CheckpointConfig.class.getClassLoader(),
                new Class<?>[] {CheckpointConfig.class}, (proxy, method, args) -> values.containsKey(method.getName())
                        ? values.get(method.getName()) : method.getDefaultValue());
    }

    @Test
    public void byDefaultTheImagesAreInTheDataDirectory() {
        CheckpointSettings s = CheckpointSettings.read(config(Map.of()), CheckpointSettings.DEFAULTS, refusals::add);
        assertEquals(Path.of("/var/lib/hotvirt/images"), s.imagesDir(Path.of("/var/lib/hotvirt")));
        assertEquals(Duration.ofSeconds(10), s.freezeTimeout());
        assertEquals(Duration.ofSeconds(5), s.seizeTimeout());
        assertEquals(List.of(), refusals);
    }

    @Test
    public void goodValuesAreTaken() {
        CheckpointSettings s = CheckpointSettings.read(config(Map.of("imagesDir", "/srv/images/",
                "freezeTimeoutMillis", "30000", "seizeTimeoutMillis", "20000")), CheckpointSettings.DEFAULTS,
                refusals::add);
        assertEquals(Path.of("/srv/images"), s.imagesDir(Path.of("/var/lib/hotvirt")));
        assertEquals(Duration.ofSeconds(30), s.freezeTimeout());
        assertEquals(Duration.ofSeconds(20), s.seizeTimeout());
        assertEquals(List.of(), refusals);
    }

    @Test
    public void eachBadValueIsRefusedAndThePreviousKept() {
        CheckpointSettings previous = new CheckpointSettings(Path.of("/srv/images"), Duration.ofSeconds(8),
                Duration.ofSeconds(9));
        CheckpointSettings s = CheckpointSettings.read(config(Map.of("imagesDir", "images",
                "freezeTimeoutMillis", "1e3", "seizeTimeoutMillis", "-1")), previous, refusals::add);
        assertEquals(previous, s);
        assertEquals(List.of(
                "io.hotvirt.checkpoint: imagesDir = 'images' refused: not an absolute path (a relative one would"
                        + " depend on the directory Karaf was started from; leave it empty for images/ in the data"
                        + " directory); keeping /srv/images (fix it with config:property-set -p io.hotvirt.checkpoint"
                        + " imagesDir VALUE, or in etc/io.hotvirt.checkpoint.cfg)",
                "io.hotvirt.checkpoint: freezeTimeoutMillis = '1e3' refused: not a number of milliseconds; keeping"
                        + " 8000 ms (fix it with config:property-set -p io.hotvirt.checkpoint freezeTimeoutMillis VALUE,"
                        + " or in etc/io.hotvirt.checkpoint.cfg)",
                "io.hotvirt.checkpoint: seizeTimeoutMillis = '-1' refused: not a positive number of milliseconds;"
                        + " keeping 9000 ms (fix it with config:property-set -p io.hotvirt.checkpoint seizeTimeoutMillis"
                        + " VALUE, or in etc/io.hotvirt.checkpoint.cfg)"), refusals);
    }
}
