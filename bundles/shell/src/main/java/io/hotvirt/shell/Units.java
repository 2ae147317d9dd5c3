package io.hotvirt.shell;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.time.Duration;
import java.util.Locale;

/**
 * How every hotvirt command prints sizes, durations and rates, so that the same amount reads the
 * same in domain:info, cpu:show, memory:show and a checkpoint summary. Sizes are binary (as the
 * kernel counts pages and as {@code memory:set} reads them): {@code 512 B}, {@code 64 MiB},
 * {@code 1.5 GiB}, one decimal at most.
 */
public final class Units {

    private static final String PREFIXES = "KMGTPE";
    private static final long SECOND = 1_000_000_000L;

    private Units() {
    }

    /** {@code 512 B}, {@code 4 KiB}, {@code 130.2 MiB}, {@code 1.5 GiB}: one decimal at most, rounded half up. */
    public static String bytes(long bytes) {
        if (bytes < 0) {
            return bytes == Long.MIN_VALUE ? "-8 EiB" : "-" + bytes(-bytes);
        }
        if (bytes < 1024) {
            return bytes + " B";
        }
        int unit = 0;
        double value = bytes;
        while (value >= 1024 && unit < PREFIXES.length()) {
            value /= 1024;
            unit++;
        }
        String number = oneDecimal(value);
        if (number.equals("1024") && unit < PREFIXES.length()) {
            number = "1"; // 1023.96 KiB rounds to the next unit, not to "1024 KiB"
            unit++;
        }
        return number + " " + PREFIXES.charAt(unit - 1) + "iB";
    }

    /** Bytes moved in a time: {@code 812.4 MiB/s}; {@code -} when no time passed. */
    public static String rate(long bytes, long nanos) {
        if (nanos <= 0) {
            return "- B/s";
        }
        double perSecond = bytes * (double) SECOND / nanos;
        return bytes(Math.round(Math.min(perSecond, Long.MAX_VALUE))) + "/s";
    }

    /** {@code 850 ms}, {@code 12.35 s}, {@code 3m 02s}, {@code 2h 05m}. */
    public static String nanos(long nanos) {
        if (nanos < 0) {
            return "-" + nanos(-Math.max(nanos, -Long.MAX_VALUE));
        }
        if (nanos < SECOND) {
            return nanos / 1_000_000L + " ms";
        }
        if (nanos < 60 * SECOND) {
            return String.format(Locale.ROOT, "%.2f s", nanos / (double) SECOND);
        }
        long s = nanos / SECOND;
        return s >= 3600 ? String.format(Locale.ROOT, "%dh %02dm", s / 3600, s / 60 % 60)
                : String.format(Locale.ROOT, "%dm %02ds", s / 60, s % 60);
    }

    /** {@link #nanos} for a time kept in milliseconds. */
    public static String millis(long millis) {
        return nanos(Math.multiplyExact(millis, 1_000_000L));
    }

    /** {@link #nanos} for a {@link Duration} (one past about 292 years prints as that). */
    public static String duration(Duration d) {
        return nanos(d.compareTo(Duration.ofNanos(Long.MAX_VALUE)) > 0 ? Long.MAX_VALUE : d.toNanos());
    }

    private static String oneDecimal(double value) {
        return BigDecimal.valueOf(value).setScale(1, RoundingMode.HALF_UP).stripTrailingZeros().toPlainString();
    }
}
