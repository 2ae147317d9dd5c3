package io.hotvirt.checkpoint.signals;

import java.util.ArrayList;
import java.util.List;

/**
 * One POSIX timer of a process (timer_create), as /proc/PID/timers and timer_gettime show it.
 *
 * @param clock         the clock id the timer was created with (negative for a CPU-time clock of a pid)
 * @param sigval        sigev_value as 64 bits
 * @param sigevNotify   sigev_notify: {@link #SIGEV_SIGNAL}, {@link #SIGEV_NONE}, {@link #SIGEV_THREAD},
 *                      with {@link #SIGEV_THREAD_ID} or'ed in for a signal to one thread
 * @param notifyTid     for SIGEV_THREAD_ID the thread signalled (a tid as the image numbers them), else 0
 * @param valueNanos    the time left until it fires; 0: disarmed
 * @param intervalNanos the period; 0: one-shot
 */
public record PosixTimer(int id, int clock, int signo, long sigval, int sigevNotify, int notifyTid, long valueNanos,
                         long intervalNanos) {

    public static final int SIGEV_SIGNAL = 0;
    public static final int SIGEV_NONE = 1;
    public static final int SIGEV_THREAD = 2;
    public static final int SIGEV_THREAD_ID = 4;

    public boolean toThread() {
        return (sigevNotify & SIGEV_THREAD_ID) != 0;
    }

    public PosixTimer withTimes(long value, long interval) {
        return new PosixTimer(id, clock, signo, sigval, sigevNotify, notifyTid, value, interval);
    }

    /**
     * The timers of /proc/PID/timers (times 0: they come from timer_gettime). Per timer the kernel
     * prints {@code ID: 7}, {@code signal: 10/00000000000004d2} (signo/sigval in hex),
     * {@code notify: signal/pid.42} (kind signal, none or thread; {@code tid.N} for SIGEV_THREAD_ID)
     * and {@code ClockID: 1}.
     *
     * @throws IllegalArgumentException on a line or timer it cannot read
     */
    public static List<PosixTimer> parse(String text) {
        List<PosixTimer> out = new ArrayList<>();
        Builder b = null;
        for (String line : text.split("\n")) {
            int colon = line.indexOf(':');
            if (line.isBlank()) {
                continue;
            }
            if (colon < 0) {
                throw new IllegalArgumentException("/proc/PID/timers: unexpected line: " + line);
            }
            String key = line.substring(0, colon).trim();
            String value = line.substring(colon + 1).trim();
            try {
                if (key.equals("ID")) {
                    if (b != null) {
                        out.add(b.build());
                    }
                    b = new Builder(Integer.parseInt(value));
                } else if (b == null) {
                    throw new IllegalArgumentException("/proc/PID/timers: " + key + " before any ID");
                } else {
                    b.set(key, value);
                }
            } catch (NumberFormatException | IndexOutOfBoundsException e) {
                throw new IllegalArgumentException("/proc/PID/timers: cannot read line: " + line, e);
            }
        }
        if (b != null) {
            out.add(b.build());
        }
        return out;
    }

    private static final class Builder {
        private final int id;
        private Integer clock;
        private Integer signo;
        private long sigval;
        private Integer notify;
        private int tid;

        Builder(int id) {
            this.id = id;
        }

        void set(String key, String value) {
            switch (key) {
                case "signal" -> {
                    String[] f = value.split("/", 2);
                    signo = Integer.parseInt(f[0]);
                    sigval = Long.parseUnsignedLong(f[1], 16);
                }
                case "notify" -> {
                    String[] f = value.split("/", 2);
                    int kind = switch (f[0]) {
                        case "signal" -> SIGEV_SIGNAL;
                        case "none" -> SIGEV_NONE;
                        case "thread" -> SIGEV_THREAD;
                        default -> throw new IllegalArgumentException("timer " + id + ": unknown notify " + value);
                    };
                    String[] who = f[1].split("\\.", 2);
                    boolean toThread = who[0].equals("tid");
                    notify = toThread ? kind | SIGEV_THREAD_ID : kind;
                    tid = toThread ? Integer.parseInt(who[1]) : 0;
                }
                case "ClockID" -> clock = Integer.parseInt(value);
                default -> {
                    // a field a later kernel may add: not needed to re-create the timer
                }
            }
        }

        PosixTimer build() {
            if (clock == null || signo == null || notify == null) {
                throw new IllegalArgumentException("/proc/PID/timers: timer " + id + " lacks signal, notify or ClockID");
            }
            return new PosixTimer(id, clock, signo, sigval, notify, tid, 0, 0);
        }
    }
}
