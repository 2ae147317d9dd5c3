package io.hotvirt.checkpoint;

import io.hotvirt.checkpoint.freeze.DomainFreezer;
import io.hotvirt.linux.cgroup.DomainCgroup;
import io.hotvirt.shell.config.SettingCheck;

import java.nio.file.Path;
import java.time.Duration;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * The checked form of {@link CheckpointConfig}. A bad value is reported (key, value, why, the fix)
 * and the previous value kept, so a typo never hides the images behind an empty directory.
 *
 * @param imagesDir absolute, or null for {@code images/} in hotvirt's data directory
 */
record CheckpointSettings(Path imagesDir, Duration freezeTimeout, Duration seizeTimeout) {

    static final String PID = "io.hotvirt.checkpoint";
    static final CheckpointSettings DEFAULTS = new CheckpointSettings(null, DomainCgroup.DEFAULT_FREEZE_TIMEOUT,
            DomainFreezer.DEFAULT_STOP_TIMEOUT);

    /** Each value of {@code config} that is bad goes to {@code refusals} and is replaced by {@code previous}'s. */
    static CheckpointSettings read(CheckpointConfig config, CheckpointSettings previous, Consumer<String> refusals) {
        return new CheckpointSettings(
                checked("imagesDir", config::imagesDir, CheckpointSettings::imagesDir, previous.imagesDir(), refusals),
                checked("freezeTimeoutMillis", config::freezeTimeoutMillis, SettingCheck::positiveMillis,
                        previous.freezeTimeout(), refusals),
                checked("seizeTimeoutMillis", config::seizeTimeoutMillis, SettingCheck::positiveMillis,
                        previous.seizeTimeout(), refusals));
    }

    /** Where the images go, given hotvirt's data directory. */
    Path imagesDir(Path dataDir) {
        return imagesDir != null ? imagesDir : dataDir.resolve("images");
    }

    /** Empty for the default, else an absolute path, normalized. */
    static Path imagesDir(String value) {
        if (value.isBlank()) {
            return null;
        }
        Path path = Path.of(value.trim());
        if (!path.isAbsolute()) {
            throw new IllegalArgumentException("not an absolute path (a relative one would depend on the directory"
                    + " Karaf was started from; leave it empty for images/ in the data directory)");
        }
        return path.normalize();
    }

    private static <T> T checked(String key, Supplier<String> raw, Function<String, T> parse, T previous,
                                 Consumer<String> refusals) {
        return SettingCheck.checked(PID, key, raw, parse, previous, refusals);
    }
}
