package io.hotvirt.shell.config;

import java.time.Duration;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * One setting of a Config Admin PID, checked: hotvirt never stops over a bad value, and never
 * falls back to a default behind the user's back (a typo in a directory must not make it forget
 * its state): the refusal goes to the log and the previous value stays.
 */
public final class SettingCheck {

    private SettingCheck() {
    }

    /**
     * {@code parse} of the raw value (null read as empty), or {@code previous} with a refusal —
     * key, value, why, what is kept and the command that fixes it — given to {@code refusals}.
     */
    public static <T> T checked(String pid, String key, Supplier<String> raw, Function<String, T> parse, T previous,
                                Consumer<String> refusals) {
        String value = null;
        try {
            value = raw.get();
            return parse.apply(value == null ? "" : value);
        } catch (RuntimeException e) {
            String kept = previous == null ? "the default" : previous instanceof Duration d ? d.toMillis() + " ms"
                    : previous.toString();
            refusals.accept(pid + ": " + key + " = '" + value + "' refused: " + e.getMessage() + "; keeping " + kept
                    + " (fix it with config:property-set -p " + pid + " " + key + " VALUE, or in etc/" + pid + ".cfg)");
            return previous;
        }
    }

    /** A positive number of milliseconds. */
    public static Duration positiveMillis(String value) {
        long millis;
        try {
            millis = Long.parseLong(value.trim());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("not a number of milliseconds");
        }
        if (millis <= 0) {
            throw new IllegalArgumentException("not a positive number of milliseconds");
        }
        return Duration.ofMillis(millis);
    }
}
