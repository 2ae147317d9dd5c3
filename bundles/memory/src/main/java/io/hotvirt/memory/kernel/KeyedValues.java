package io.hotvirt.memory.kernel;

import java.util.LinkedHashMap;
import java.util.Map;

/** Parses flat keyed cgroup files such as memory.stat, memory.events and memory.oom_control. */
public final class KeyedValues {

    private KeyedValues() {
    }

    /** {@code "key value"} lines → key → value; lines that are not a key and a number are skipped. */
    public static Map<String, Long> parse(String text) {
        Map<String, Long> out = new LinkedHashMap<>();
        for (String line : text.split("\n")) {
            String[] f = line.strip().split("\\s+");
            if (f.length == 2) {
                try {
                    out.put(f[0], Long.parseLong(f[1]));
                } catch (NumberFormatException notANumber) {
                    // skipped
                }
            }
        }
        return out;
    }
}
