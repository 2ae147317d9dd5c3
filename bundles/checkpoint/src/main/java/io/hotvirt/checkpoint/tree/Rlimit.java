package io.hotvirt.checkpoint.tree;

import java.util.ArrayList;
import java.util.List;

/**
 * One resource limit as {@code /proc/PID/limits} shows it.
 *
 * @param resource the RLIMIT_* number (the file lists them in that order: RLIMIT_CPU = 0 …
 *                 RLIMIT_RTTIME = 15)
 * @param name     the kernel's description, e.g. {@code "Max open files"}
 * @param soft     the soft limit in the resource's unit, {@link #INFINITY} for unlimited
 * @param hard     the hard limit, {@link #INFINITY} for unlimited
 */
public record Rlimit(int resource, String name, long soft, long hard) {

    /** RLIM_INFINITY (~0UL) as a signed long. */
    public static final long INFINITY = -1L;

    public static final int RLIMIT_CPU = 0;
    public static final int RLIMIT_FSIZE = 1;
    public static final int RLIMIT_DATA = 2;
    public static final int RLIMIT_STACK = 3;
    public static final int RLIMIT_CORE = 4;
    public static final int RLIMIT_RSS = 5;
    public static final int RLIMIT_NPROC = 6;
    public static final int RLIMIT_NOFILE = 7;
    public static final int RLIMIT_MEMLOCK = 8;
    public static final int RLIMIT_AS = 9;
    public static final int RLIMIT_LOCKS = 10;
    public static final int RLIMIT_SIGPENDING = 11;
    public static final int RLIMIT_MSGQUEUE = 12;
    public static final int RLIMIT_NICE = 13;
    public static final int RLIMIT_RTPRIO = 14;
    public static final int RLIMIT_RTTIME = 15;

    /** The kernel's names (fs/proc/base.c lnames[]), indexed by resource. */
    static final List<String> NAMES = List.of("Max cpu time", "Max file size", "Max data size", "Max stack size",
            "Max core file size", "Max resident set", "Max processes", "Max open files", "Max locked memory",
            "Max address space", "Max file locks", "Max pending signals", "Max msgqueue size", "Max nice priority",
            "Max realtime priority", "Max realtime timeout");

    /**
     * Parses {@code /proc/PID/limits}: a header line, then one line per resource with the name
     * padded to 25 columns, soft and hard padded to 20, then the unit.
     */
    public static List<Rlimit> parseLimits(String text) {
        List<Rlimit> out = new ArrayList<>();
        for (String line : text.split("\n")) {
            if (line.isBlank() || line.startsWith("Limit")) {
                continue;
            }
            int resource = -1;
            for (int i = 0; i < NAMES.size(); i++) {
                if (line.startsWith(NAMES.get(i) + " ")) {
                    resource = i;
                }
            }
            if (resource < 0) {
                throw new IllegalArgumentException("unknown limit line: " + line);
            }
            String[] values = line.substring(NAMES.get(resource).length()).trim().split("\\s+");
            out.add(new Rlimit(resource, NAMES.get(resource), value(values[0]), value(values[1])));
        }
        return out;
    }

    private static long value(String v) {
        return v.equals("unlimited") ? INFINITY : Long.parseUnsignedLong(v);
    }
}
