package io.hotvirt.checkpoint;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * Where a checkpoint spent its time: nanoseconds per phase (summed over processes), in the order
 * the phases first ran. With --leave-running, {@link #COMMIT} runs after {@link #RELEASE}; without,
 * the domain is killed after the commit.
 */
public final class DumpPhases {

    /** Freezing the cgroup, seizing and interrupting every thread, thawing. */
    public static final String FREEZE = "freeze";
    /** Waiting for every interrupted thread to enter its ptrace-stop. */
    public static final String STOPS = "stops";
    public static final String TREE = "tree";
    public static final String REGISTERS = "registers";
    public static final String SIGNALS = "signals";
    public static final String MEMORY = "memory";
    public static final String SHM = "shm";
    public static final String FILES = "files";
    public static final String PIPES = "pipes";
    public static final String METADATA = "metadata";
    public static final String RELEASE = "release";
    public static final String KILL = "kill";
    /** Closing the files: finishing their checksums and fsync; the manifest with its MAC; the renames. */
    public static final String COMMIT = "commit";

    private final Map<String, Long> nanos = new LinkedHashMap<>();
    private long mark = System.nanoTime();

    /** Starts timing from now (the next {@link #end} measures from here). */
    public DumpPhases start() {
        mark = System.nanoTime();
        return this;
    }

    /** Adds the time since the last mark to {@code phase} and marks now. */
    public void end(String phase) {
        long now = System.nanoTime();
        nanos.merge(phase, now - mark, Long::sum);
        mark = now;
    }

    /** Splits the time since the last mark: {@code firstNanos} of it to {@code first}, the rest to {@code rest}. */
    public void end(String first, long firstNanos, String rest) {
        long now = System.nanoTime();
        long all = now - mark;
        long head = Math.min(Math.max(firstNanos, 0), all);
        nanos.merge(first, head, Long::sum);
        nanos.merge(rest, all - head, Long::sum);
        mark = now;
    }

    /** Phase → nanoseconds, in the order the phases first ran. */
    public Map<String, Long> nanos() {
        return java.util.Collections.unmodifiableMap(new LinkedHashMap<>(nanos));
    }

    public long millis(String phase) {
        return nanos.getOrDefault(phase, 0L) / 1_000_000;
    }

    /** "freeze 12.3 ms, tree 0.4 ms, …". */
    @Override
    public String toString() {
        return nanos.entrySet().stream()
                .map(e -> String.format(java.util.Locale.ROOT, "%s %.1f ms", e.getKey(), e.getValue() / 1e6))
                .collect(Collectors.joining(", "));
    }
}
