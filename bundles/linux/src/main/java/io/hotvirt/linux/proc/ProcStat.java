package io.hotvirt.linux.proc;

/**
 * The fields hotvirt uses from {@code /proc/PID/stat}.
 *
 * @param utimeTicks     user CPU time in clock ticks ({@link Procfs#ticksPerSecond()})
 * @param startTimeTicks start time after boot in clock ticks: with the pid, it identifies a process
 *                       across PID reuse
 * @param rssPages       resident set size in pages ({@link Procfs#pageSize()})
 */
public record ProcStat(int pid, String comm, char state, int ppid, int pgrp, int session, long utimeTicks,
                       long stimeTicks, int numThreads, long startTimeTicks, long rssPages) {

    /** Dead or a zombie: it no longer runs and cannot be moved, traced or signalled usefully. */
    public boolean dead() {
        return state == 'Z' || state == 'X' || state == 'x';
    }

    /**
     * Parses one stat line. The comm is in parentheses and may itself contain spaces and
     * parentheses (it is the executable's name, up to 15 bytes), so it ends at the LAST ')'.
     */
    public static ProcStat parse(String line) {
        int open = line.indexOf('(');
        int close = line.lastIndexOf(')');
        if (open < 0 || close < open) {
            throw new IllegalArgumentException("not a /proc/PID/stat line: " + line);
        }
        int pid = Integer.parseInt(line.substring(0, open).trim());
        String comm = line.substring(open + 1, close);
        // f[0] is field 3 (state) in proc(5)'s numbering, so field n is f[n - 3]
        String[] f = line.substring(close + 1).trim().split(" ");
        if (f.length < 22) {
            throw new IllegalArgumentException("truncated /proc/PID/stat line: " + line);
        }
        return new ProcStat(pid, comm, f[0].charAt(0), Integer.parseInt(f[1]), Integer.parseInt(f[2]),
                Integer.parseInt(f[3]), Long.parseLong(f[11]), Long.parseLong(f[12]), Integer.parseInt(f[17]),
                Long.parseLong(f[19]), Long.parseLong(f[21]));
    }
}
