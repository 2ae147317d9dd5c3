package io.hotvirt.cpu.shell;

import io.hotvirt.cpu.CpuBandwidth;
import io.hotvirt.cpu.CpuList;
import io.hotvirt.cpu.CpuSettings;

import java.util.Locale;

/** How the cpu commands print values. */
final class CpuFormat {

    private CpuFormat() {
    }

    /** Nanoseconds as {@code 850 ms}, {@code 12.35 s}, {@code 3m 02s}. */
    static String nanos(long nanos) {
        if (nanos < 1_000_000_000L) {
            return (nanos / 1_000_000L) + " ms";
        }
        double seconds = nanos / 1e9;
        if (seconds < 600) {
            return String.format(Locale.ROOT, "%.2f s", seconds);
        }
        long s = (long) seconds;
        return s >= 3600 ? String.format(Locale.ROOT, "%dh %02dm", s / 3600, s / 60 % 60)
                : String.format(Locale.ROOT, "%dm %02ds", s / 60, s % 60);
    }

    static String percent(double percent) {
        return String.format(Locale.ROOT, "%.1f%%", percent);
    }

    static String cpus(Double cpus) {
        return cpus == null ? "-" : CpuBandwidth.format(cpus);
    }

    static String pin(CpuList pin) {
        return pin == null ? "all" : pin.toString();
    }

    static String weight(CpuSettings settings) {
        return Integer.toString(settings.effectiveWeight());
    }
}
