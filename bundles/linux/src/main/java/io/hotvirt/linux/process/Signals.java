package io.hotvirt.linux.process;

import com.sun.jna.LastErrorException;
import io.hotvirt.linux.jna.Errno;
import io.hotvirt.linux.jna.LibC;

import java.io.IOException;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/** Signal numbers (Linux x86-64) by name, and kill(2). */
public final class Signals {

    public static final int SIGHUP = 1;
    public static final int SIGINT = 2;
    public static final int SIGQUIT = 3;
    public static final int SIGTRAP = 5;
    public static final int SIGABRT = 6;
    public static final int SIGKILL = 9;
    public static final int SIGUSR1 = 10;
    public static final int SIGSEGV = 11;
    public static final int SIGUSR2 = 12;
    public static final int SIGPIPE = 13;
    public static final int SIGALRM = 14;
    public static final int SIGTERM = 15;
    public static final int SIGCHLD = 17;
    public static final int SIGCONT = 18;
    public static final int SIGSTOP = 19;
    public static final int SIGTSTP = 20;
    public static final int SIGRTMIN = 34;
    public static final int SIGRTMAX = 64;

    /** Index = signal number; names without the SIG prefix. */
    private static final String[] NAMES = {null, "HUP", "INT", "QUIT", "ILL", "TRAP", "ABRT", "BUS", "FPE", "KILL",
            "USR1", "SEGV", "USR2", "PIPE", "ALRM", "TERM", "STKFLT", "CHLD", "CONT", "STOP", "TSTP", "TTIN", "TTOU",
            "URG", "XCPU", "XFSZ", "VTALRM", "PROF", "WINCH", "IO", "PWR", "SYS"};

    private Signals() {
    }

    /** The names of the standard signals 1..31 in number order, without the SIG prefix: HUP, INT, … SYS. */
    public static List<String> names() {
        return List.copyOf(Arrays.asList(NAMES).subList(1, NAMES.length));
    }

    /** Sends {@code sig} to {@code pid}; signal 0 only checks that the process exists. */
    public static void kill(int pid, int sig) throws IOException {
        if (pid <= 0) {
            // kill(0 or negative) addresses process groups or everything: never what a caller means here
            throw new IllegalArgumentException("not a process id: " + pid);
        }
        try {
            LibC.INSTANCE.kill(pid, sig);
        } catch (LastErrorException e) {
            int errno = e.getErrorCode();
            String what = "kill(" + pid + ", SIG" + name(sig) + "): ";
            if (errno == Errno.ESRCH) {
                throw new IOException(what + "process " + pid + " does not exist (it has exited)", e);
            }
            if (errno == Errno.EPERM) {
                throw new IOException(what + "permission denied — hotvirt needs root (CAP_KILL) to signal"
                        + " processes of other users: start Karaf as root", e);
            }
            throw new IOException(what + Errno.describe(errno), e);
        }
    }

    /**
     * {@code "TERM"}, {@code "SIGTERM"}, {@code "sigterm"}, {@code "15"}, {@code "RTMIN+2"} → the number.
     *
     * @throws IllegalArgumentException for an unknown name or a number outside 0..64
     */
    public static int parse(String nameOrNumber) {
        if (nameOrNumber == null || nameOrNumber.isBlank()) {
            throw new IllegalArgumentException("no signal given");
        }
        String s = nameOrNumber.strip().toUpperCase(Locale.ROOT);
        if (s.chars().allMatch(Character::isDigit)) {
            int n;
            try {
                n = Integer.parseInt(s);
            } catch (NumberFormatException e) {
                n = -1;
            }
            if (n < 0 || n > SIGRTMAX) {
                throw new IllegalArgumentException("unknown signal: " + nameOrNumber + " (valid: 0.." + SIGRTMAX + ")");
            }
            return n;
        }
        if (s.startsWith("SIG")) {
            s = s.substring(3);
        }
        for (int i = 1; i < NAMES.length; i++) {
            if (NAMES[i].equals(s)) {
                return i;
            }
        }
        switch (s) {
            case "IOT": return SIGABRT;
            case "POLL": return 29;
            case "CLD": return SIGCHLD;
            default: break;
        }
        Integer rt = realtime(s);
        if (rt != null) {
            return rt;
        }
        throw new IllegalArgumentException("unknown signal: " + nameOrNumber);
    }

    /** 15 → {@code "TERM"}, 36 → {@code "RTMIN+2"}, 0 → {@code "0"}. No SIG prefix. */
    public static String name(int sig) {
        if (sig > 0 && sig < NAMES.length) {
            return NAMES[sig];
        }
        if (sig == SIGRTMIN) {
            return "RTMIN";
        }
        if (sig == SIGRTMAX) {
            return "RTMAX";
        }
        if (sig > SIGRTMIN && sig < SIGRTMAX) {
            return sig - SIGRTMIN <= (SIGRTMAX - SIGRTMIN) / 2 ? "RTMIN+" + (sig - SIGRTMIN) : "RTMAX-" + (SIGRTMAX - sig);
        }
        return Integer.toString(sig);
    }

    private static Integer realtime(String s) {
        try {
            if (s.equals("RTMIN")) {
                return SIGRTMIN;
            }
            if (s.equals("RTMAX")) {
                return SIGRTMAX;
            }
            if (s.startsWith("RTMIN+")) {
                int n = SIGRTMIN + Integer.parseInt(s.substring(6));
                return n <= SIGRTMAX ? n : null;
            }
            if (s.startsWith("RTMAX-")) {
                int n = SIGRTMAX - Integer.parseInt(s.substring(6));
                return n >= SIGRTMIN ? n : null;
            }
        } catch (NumberFormatException e) {
            return null;
        }
        return null;
    }
}
