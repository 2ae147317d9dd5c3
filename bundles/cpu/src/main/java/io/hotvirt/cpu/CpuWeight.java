package io.hotvirt.cpu;

/**
 * A domain's relative share of contended CPUs, on cgroup v2's scale (cpu.weight 1..10000, default
 * 100), and its cgroup v1 form (cpu.shares 2..262144, default 1024).
 */
public final class CpuWeight {

    public static final int MIN = 1;
    public static final int MAX = 10_000;
    public static final int DEFAULT = 100;

    public static final long MIN_SHARES = 2;
    public static final long MAX_SHARES = 262_144;
    public static final long DEFAULT_SHARES = 1024;

    private CpuWeight() {
    }

    /** cgroup v1 cpu.shares for a weight: weight × 1024 / 100, clamped to 2..262144. */
    public static long shares(int weight) {
        check(weight);
        long shares = (long) weight * DEFAULT_SHARES / DEFAULT;
        return Math.max(MIN_SHARES, Math.min(MAX_SHARES, shares));
    }

    /** The weight nearest to a cgroup v1 cpu.shares value, clamped to 1..10000. */
    public static int fromShares(long shares) {
        long weight = Math.round(shares * (double) DEFAULT / DEFAULT_SHARES);
        return (int) Math.max(MIN, Math.min(MAX, weight));
    }

    public static int check(int weight) {
        if (weight < MIN || weight > MAX) {
            throw new IllegalArgumentException("a CPU weight must be between " + MIN + " and " + MAX
                    + " (default " + DEFAULT + "), got " + weight);
        }
        return weight;
    }
}
