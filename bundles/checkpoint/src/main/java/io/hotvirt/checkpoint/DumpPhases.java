package io.hotvirt.checkpoint;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.LongSupplier;
import java.util.stream.Collectors;

/**
 * Where a checkpoint spent its time: nanoseconds per phase (summed over processes), in the order
 * the phases first ran. With --leave-running, {@link #COMMIT} runs after {@link #RELEASE}; without,
 * the domain is killed after the commit.
 *
 * <p>Also the two end-to-end figures a user is shown, from the moments the phases mark rather than
 * from their sums: {@link #totalNanos()}, from the creation of this object (the start of the dump)
 * until {@link #finish()} (after the commit, and the kill); and {@link #frozenNanos()}, from the
 * start of {@link #FREEZE} until the end of {@link #RELEASE} or {@link #KILL}, whichever ends the
 * stop: with --leave-running the commit comes after the release and is not part of it, without it
 * the domain stays stopped through the commit until it is killed.
 */
public final class DumpPhases {

    /** Before the freeze: checking the swap areas, creating the image directory. */
    public static final String PREPARE = "prepare";
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
    private final LongSupplier clock;
    private final long begin;
    private long mark;
    private long stoppedAt = -1;
    private long releasedAt = -1;
    private long finishedAt = -1;

    /** The dump starts now. */
    public DumpPhases() {
        this(System::nanoTime);
    }

    /** With another clock (nanoseconds), for tests. */
    DumpPhases(LongSupplier clock) {
        this.clock = clock;
        this.begin = clock.getAsLong();
        this.mark = begin;
    }

    /** Starts timing from now (the next {@link #end} measures from here). */
    public DumpPhases start() {
        mark = clock.getAsLong();
        return this;
    }

    /** Adds the time since the last mark to {@code phase} and marks now. */
    public void end(String phase) {
        long now = clock.getAsLong();
        passed(phase, mark, now);
        nanos.merge(phase, now - mark, Long::sum);
        mark = now;
    }

    /** Splits the time since the last mark: {@code firstNanos} of it to {@code first}, the rest to {@code rest}. */
    public void end(String first, long firstNanos, String rest) {
        long now = clock.getAsLong();
        long all = now - mark;
        long head = Math.min(Math.max(firstNanos, 0), all);
        passed(first, mark, mark + head);
        passed(rest, mark + head, now);
        nanos.merge(first, head, Long::sum);
        nanos.merge(rest, all - head, Long::sum);
        mark = now;
    }

    /** The dump is over: {@link #totalNanos()} stops here. */
    public void finish() {
        if (finishedAt < 0) {
            finishedAt = clock.getAsLong();
        }
    }

    /** From the start of the dump until {@link #finish()} (until now, before it). */
    public long totalNanos() {
        return (finishedAt >= 0 ? finishedAt : clock.getAsLong()) - begin;
    }

    /**
     * How long the domain was stopped: from the start of {@link #FREEZE} until the end of
     * {@link #RELEASE} or {@link #KILL} (until the finish, or now, while neither has ended); 0 before
     * the freeze.
     */
    public long frozenNanos() {
        if (stoppedAt < 0) {
            return 0;
        }
        long end = releasedAt >= 0 ? releasedAt : finishedAt >= 0 ? finishedAt : clock.getAsLong();
        return end - stoppedAt;
    }

    public long totalMillis() {
        return totalNanos() / 1_000_000;
    }

    public long frozenMillis() {
        return frozenNanos() / 1_000_000;
    }

    /** Notes when the stop began and ended. */
    private void passed(String phase, long from, long to) {
        if (phase.equals(FREEZE) && stoppedAt < 0) {
            stoppedAt = from;
        } else if ((phase.equals(RELEASE) || phase.equals(KILL)) && releasedAt < 0 && stoppedAt >= 0) {
            releasedAt = to;
        }
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
