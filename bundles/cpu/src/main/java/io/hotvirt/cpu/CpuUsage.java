package io.hotvirt.cpu;

/**
 * A domain's CPU accounting, cumulative since its cgroup was made: CPU time used, CFS periods in
 * which it had a quota, periods in which it was throttled, and the time it spent throttled.
 * Counters the kernel does not have (no bandwidth controller) are 0.
 */
public record CpuUsage(long usageNanos, long periods, long throttledPeriods, long throttledNanos) {

    /** The change from an earlier reading to this one. */
    public CpuUsage since(CpuUsage earlier) {
        return new CpuUsage(usageNanos - earlier.usageNanos, periods - earlier.periods,
                throttledPeriods - earlier.throttledPeriods, throttledNanos - earlier.throttledNanos);
    }

    /** CPU time as a percentage of one CPU over {@code wallNanos} of wall-clock time (200 = two CPUs busy). */
    public double percentOfOneCpu(long wallNanos) {
        return wallNanos <= 0 ? 0 : 100.0 * usageNanos / wallNanos;
    }

    /** The share of periods with a quota in which the domain was throttled, 0..100. */
    public double throttledPercent() {
        return periods <= 0 ? 0 : 100.0 * throttledPeriods / periods;
    }
}
