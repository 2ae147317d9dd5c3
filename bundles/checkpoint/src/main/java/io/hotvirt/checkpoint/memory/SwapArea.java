package io.hotvirt.checkpoint.memory;

import java.util.ArrayList;
import java.util.List;

/**
 * One line of {@code /proc/swaps}.
 *
 * @param position  its place in /proc/swaps (0-based), which is the kernel's swap type when no area
 *                  listed before it was swapped off (see {@link SwapAreas})
 * @param path      the swap file or device (octal escapes undone)
 * @param type      {@code file} or {@code partition}
 * @param sizeKiB   size in KiB
 * @param usedKiB   used in KiB
 */
public record SwapArea(int position, String path, String type, long sizeKiB, long usedKiB, int priority) {

    /** zram devices compress pages in RAM; hotvirt does not read them as a disk. */
    public boolean compressed() {
        return path.startsWith("/dev/zram");
    }

    /** Parses the text of /proc/swaps (the header line is skipped). */
    public static List<SwapArea> parse(String text) {
        List<SwapArea> out = new ArrayList<>();
        for (String line : text.split("\n")) {
            if (line.isBlank() || line.startsWith("Filename")) {
                continue;
            }
            // the path may hold spaces (escaped as \040, but split from the right to be safe)
            String[] t = line.strip().split("\\s+");
            if (t.length < 5) {
                throw new IllegalArgumentException("not a /proc/swaps line: " + line);
            }
            int n = t.length;
            String path = String.join(" ", java.util.Arrays.copyOf(t, n - 4));
            out.add(new SwapArea(out.size(), unescape(path), t[n - 4], Long.parseLong(t[n - 3]),
                    Long.parseLong(t[n - 2]), Integer.parseInt(t[n - 1])));
        }
        return out;
    }

    /** seq_file escapes space, tab, newline and backslash as \ooo. */
    static String unescape(String s) {
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '\\' && i + 4 <= s.length() && s.substring(i + 1, i + 4).matches("[0-7]{3}")) {
                b.append((char) Integer.parseInt(s.substring(i + 1, i + 4), 8));
                i += 3;
            } else {
                b.append(c);
            }
        }
        return b.toString();
    }
}
