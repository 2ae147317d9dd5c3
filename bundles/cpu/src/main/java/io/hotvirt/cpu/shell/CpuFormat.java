package io.hotvirt.cpu.shell;

import io.hotvirt.cpu.CpuBandwidth;
import io.hotvirt.cpu.CpuList;
import io.hotvirt.cpu.CpuSettings;

import java.util.Locale;

/** How the cpu commands print their own values (durations: io.hotvirt.shell.Units). */
final class CpuFormat {

    private CpuFormat() {
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
