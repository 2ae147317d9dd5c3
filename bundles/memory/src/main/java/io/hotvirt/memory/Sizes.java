package io.hotvirt.memory;

import io.hotvirt.shell.Units;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Memory sizes as people write them and as the commands print them. Units are binary, whichever
 * way they are spelt: {@code 64M}, {@code 64MB}, {@code 64MiB} and {@code 64m} are all 64 × 2^20
 * bytes, as with {@code docker -m} and systemd. A plain number is bytes; a fraction is allowed
 * ({@code 1.5G}) and rounded down to whole bytes.
 */
public final class Sizes {

    public static final long KIB = 1L << 10;
    public static final long MIB = 1L << 20;
    public static final long GIB = 1L << 30;

    private static final String UNITS = "KMGTPE";
    private static final Pattern SIZE = Pattern.compile(
            "([0-9]{1,30}(?:\\.[0-9]{1,30})?|\\.[0-9]{1,30})\\s*(?:([KMGTPE])(?:I?B)?|B)?");
    private static final BigDecimal MAX = BigDecimal.valueOf(Long.MAX_VALUE);

    private Sizes() {
    }

    /** The words that mean "no limit". */
    public static boolean isUnlimited(String text) {
        String t = text.strip().toLowerCase(Locale.ROOT);
        return t.equals("max") || t.equals("none") || t.equals("unlimited");
    }

    /**
     * Parses a size: {@code 64M}, {@code 1.5G}, {@code 512KiB}, {@code 4096}. Zero is returned as
     * zero; the caller decides whether it makes sense.
     *
     * @param what the option, for the message, e.g. {@code --max}
     * @throws IllegalArgumentException naming the option and what would be right, for anything else
     *                                  (negative numbers, exponents, unknown units, sizes of 8 EiB or more)
     */
    public static long parse(String text, String what) {
        String t = text == null ? "" : text.strip();
        if (t.isEmpty()) {
            throw new IllegalArgumentException(what + " needs a size, e.g. 64M, 1.5G or 512KiB");
        }
        if (t.startsWith("-")) {
            throw new IllegalArgumentException(what + " " + t + " is negative: give a size such as 64M, 1.5G or 512KiB,"
                    + " or 'max' for no limit");
        }
        Matcher m = SIZE.matcher(t.toUpperCase(Locale.ROOT));
        if (!m.matches()) {
            throw new IllegalArgumentException(what + " '" + t + "' is not a size: give a number with an optional"
                    + " unit K, M, G, T (binary: 1K = 1024 bytes; KB and KiB mean the same), e.g. 64M, 1.5G,"
                    + " 512KiB, or 'max' for no limit");
        }
        BigDecimal value = new BigDecimal(m.group(1));
        if (m.group(2) != null) {
            value = value.multiply(BigDecimal.valueOf(2).pow(10 * (UNITS.indexOf(m.group(2)) + 1)));
        }
        value = value.setScale(0, RoundingMode.FLOOR);
        if (value.compareTo(MAX) > 0) {
            throw new IllegalArgumentException(what + " " + t + " is too large: sizes go up to 8 EiB; give 'max' for"
                    + " no limit");
        }
        return value.longValueExact();
    }

    /** A size as every command prints it ({@link Units#bytes}), or {@code unlimited} for {@code null}. */
    public static String format(Long bytes) {
        return bytes == null ? "unlimited" : Units.bytes(bytes);
    }

    /** The shortest exact form that {@link #parse} reads back: {@code 64M}, {@code 1536K}, {@code 1000}. */
    public static String exact(long bytes) {
        int unit = 0;
        long value = bytes;
        while (value != 0 && value % 1024 == 0 && unit < UNITS.length()) {
            value /= 1024;
            unit++;
        }
        return unit == 0 ? Long.toString(value) : value + String.valueOf(UNITS.charAt(unit - 1));
    }
}
