package io.hotvirt.cpu;

import java.math.BigDecimal;

/**
 * CPU bandwidth as a number of virtual CPUs: {@code cpus} CPUs of time in every CFS period. 1.5 is
 * 150 ms of CPU time in every 100 ms period, across however many CPUs the domain runs on.
 */
public final class CpuBandwidth {

    /** The CFS period hotvirt uses, in microseconds (the kernel's default). */
    public static final long PERIOD_US = 100_000;

    /** The smallest quota the kernel accepts, in microseconds (1 ms). */
    public static final long MIN_QUOTA_US = 1_000;

    /** The smallest CPU count that gives a quota the kernel accepts. */
    public static final double MIN_CPUS = (double) MIN_QUOTA_US / PERIOD_US;

    private CpuBandwidth() {
    }

    /** The quota per {@link #PERIOD_US} for {@code cpus} CPUs, rounded to a microsecond. */
    public static long quotaMicros(double cpus) {
        if (!(cpus > 0) || Double.isInfinite(cpus)) {
            throw new IllegalArgumentException("a CPU count must be a positive number, got " + cpus);
        }
        return Math.max(1, Math.round(cpus * PERIOD_US));
    }

    /** The CPU count a quota and period stand for. */
    public static double cpus(long quotaMicros, long periodMicros) {
        return (double) quotaMicros / periodMicros;
    }

    /** {@code cpus} rounded to what the kernel can hold (a microsecond of quota per period). */
    public static double round(double cpus) {
        return cpus(quotaMicros(cpus), PERIOD_US);
    }

    /** Plain decimal without trailing zeros: 0.2, 1.5, 2. */
    public static String format(double cpus) {
        return BigDecimal.valueOf(cpus).stripTrailingZeros().toPlainString();
    }
}
