package io.hotvirt.linux.cgroup;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * A cgroup filesystem mount from /proc/self/mountinfo.
 *
 * @param root        the cgroup mounted there (field 4), "/" unless a sub-tree is bind mounted
 * @param controllers v1: the controllers from the super options, in kernel order (including
 *                    {@code name=...}); v2: empty (read cgroup.controllers instead)
 */
record CgroupMount(int mountId, String root, Path mountPoint, boolean v2, List<String> controllers) {

    /** The hierarchy key: the controller list as /proc/PID/cgroup writes it; "" for v2. */
    String key() {
        return String.join(",", controllers);
    }

    /**
     * Parses mountinfo text. {@code knownControllers} (from /proc/cgroups) tells controller names
     * from other super options such as {@code rw} or {@code release_agent=...}.
     */
    static List<CgroupMount> parse(String mountinfo, Set<String> knownControllers) {
        List<CgroupMount> out = new ArrayList<>();
        for (String line : mountinfo.split("\n")) {
            int dash = line.indexOf(" - ");
            if (dash < 0) {
                continue;
            }
            String[] left = line.substring(0, dash).split(" ");
            String[] right = line.substring(dash + 3).split(" ");
            if (left.length < 5 || right.length < 3) {
                continue;
            }
            String type = right[0];
            if (!type.equals("cgroup") && !type.equals("cgroup2")) {
                continue;
            }
            List<String> controllers = new ArrayList<>();
            if (type.equals("cgroup")) {
                for (String option : right[2].split(",")) {
                    if (knownControllers.contains(option) || option.startsWith("name=")) {
                        controllers.add(option);
                    }
                }
            }
            out.add(new CgroupMount(Integer.parseInt(left[0]), unescape(left[3]), Path.of(unescape(left[4])),
                    type.equals("cgroup2"), controllers));
        }
        return out;
    }

    /** mountinfo escapes space, tab, newline and backslash as \ooo. */
    static String unescape(String s) {
        if (s.indexOf('\\') < 0) {
            return s;
        }
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < s.length(); i++) {
            char ch = s.charAt(i);
            if (ch == '\\' && i + 3 < s.length()
                    && s.substring(i + 1, i + 4).chars().allMatch(d -> d >= '0' && d <= '7')) {
                b.append((char) Integer.parseInt(s.substring(i + 1, i + 4), 8));
                i += 3;
            } else {
                b.append(ch);
            }
        }
        return b.toString();
    }
}
