package io.hotvirt.core;

import io.hotvirt.shell.config.SettingCheck;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * The checked form of {@link CoreConfig}: what the monitor works with. A bad value never stops
 * hotvirt: it is reported (key, value, why, the fix) and the previous value is kept, so a typo in
 * {@code dataDir} cannot make hotvirt forget its domains by switching to an empty directory.
 */
record CoreSettings(Path dataDir, String cgroupRoot, Duration launchTimeout) {

    static final String PID = "io.hotvirt";
    static final String DEFAULT_DATA_DIR = "/var/lib/hotvirt";
    static final String DEFAULT_CGROUP_ROOT = "hotvirt";
    static final CoreSettings DEFAULTS = new CoreSettings(Path.of(DEFAULT_DATA_DIR), DEFAULT_CGROUP_ROOT,
            Duration.ofSeconds(5));

    /** Each value of {@code config} that is bad goes to {@code refusals} and is replaced by {@code previous}'s. */
    static CoreSettings read(CoreConfig config, CoreSettings previous, Consumer<String> refusals) {
        return new CoreSettings(
                checked("dataDir", config::dataDir, CoreSettings::dataDir, previous.dataDir(), refusals),
                checked("cgroupRoot", config::cgroupRoot, CoreSettings::cgroupRoot, previous.cgroupRoot(), refusals),
                checked("launchTimeoutMillis", config::launchTimeoutMillis, SettingCheck::positiveMillis,
                        previous.launchTimeout(), refusals));
    }

    /** An absolute path, normalized, of a directory or of nothing yet. */
    static Path dataDir(String value) {
        Path path = Path.of(value.trim());
        if (value.isBlank() || !path.isAbsolute()) {
            throw new IllegalArgumentException("not an absolute path (a relative one would depend on the directory"
                    + " Karaf was started from)");
        }
        if (Files.exists(path) && !Files.isDirectory(path)) {
            throw new IllegalArgumentException("not a directory");
        }
        return path.normalize();
    }

    /** A plain directory name: it becomes one path segment under each cgroup hierarchy. */
    static String cgroupRoot(String value) {
        String name = value.trim();
        if (!name.matches("[A-Za-z0-9][A-Za-z0-9_.-]{0,63}")) {
            throw new IllegalArgumentException("not a plain cgroup directory name (1 to 64 letters, digits, '_', '.'"
                    + " or '-', starting with a letter or digit)");
        }
        return name;
    }

    private static <T> T checked(String key, Supplier<String> raw, Function<String, T> parse, T previous,
                                 Consumer<String> refusals) {
        return SettingCheck.checked(PID, key, raw, parse, previous, refusals);
    }
}
