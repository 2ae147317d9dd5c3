package io.hotvirt.cpu;

import java.util.LinkedHashMap;
import java.util.Map;

/** Parses flat-keyed cgroup files such as cpu.stat: one {@code key value} pair a line. */
public final class CpuStat {

    private CpuStat() {
    }

    /** Every line whose value is a whole number; other lines are skipped. */
    public static Map<String, Long> parse(String text) {
        Map<String, Long> values = new LinkedHashMap<>();
        for (String line : text.split("\n")) {
            String[] kv = line.strip().split("\\s+");
            if (kv.length == 2) {
                try {
                    values.put(kv[0], Long.parseLong(kv[1]));
                } catch (NumberFormatException e) {
                    // not a counter
                }
            }
        }
        return values;
    }
}
