package io.hotvirt.checkpoint.signals;

/**
 * One interval timer of a process (struct itimerval from getitimer).
 *
 * @param which ITIMER_REAL (0), ITIMER_VIRTUAL (1) or ITIMER_PROF (2)
 */
public record IntervalTimer(int which, long intervalSec, long intervalUsec, long valueSec, long valueUsec) {

    public static final int ITIMER_REAL = 0;
    public static final int ITIMER_VIRTUAL = 1;
    public static final int ITIMER_PROF = 2;

    public boolean armed() {
        return valueSec != 0 || valueUsec != 0;
    }

    /** The time left until it fires, in microseconds. */
    public long remainingMicros() {
        return valueSec * 1_000_000L + valueUsec;
    }
}
