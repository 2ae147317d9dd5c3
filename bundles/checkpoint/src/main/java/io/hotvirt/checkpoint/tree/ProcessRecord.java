package io.hotvirt.checkpoint.tree;

import java.util.List;

/**
 * One process of a domain as the image records it.
 *
 * @param threads thread ids, ascending (the first is the pid: the thread group leader)
 * @param root    {@code readlink /proc/PID/root}
 * @param umask   the file mode creation mask ({@code Umask:} in /proc/PID/status)
 * @param rlimits    every resource limit, in RLIMIT_* order
 * @param privileges capabilities, no_new_privs, seccomp; null in images made before they were saved
 * @param stopSignal the signal that stopped the process by job control (SIGSTOP, SIGTSTP …: it was in
 *                   state T when frozen, and a restore stops it again); null when it ran, and in older images
 */
public record ProcessRecord(int pid, int ppid, int pgid, int sid, List<Integer> threads, Credentials credentials,
                            String cwd, String root, int umask, List<Rlimit> rlimits, String comm, String exe,
                            MmFields mm, Privileges privileges, Integer stopSignal) {

    public ProcessRecord {
        threads = List.copyOf(threads);
        rlimits = List.copyOf(rlimits);
    }

    /** A process that was not stopped by job control. */
    public ProcessRecord(int pid, int ppid, int pgid, int sid, List<Integer> threads, Credentials credentials,
                         String cwd, String root, int umask, List<Rlimit> rlimits, String comm, String exe,
                         MmFields mm, Privileges privileges) {
        this(pid, ppid, pgid, sid, threads, credentials, cwd, root, umask, rlimits, comm, exe, mm, privileges, null);
    }

    public ProcessRecord withPrivileges(Privileges p) {
        return new ProcessRecord(pid, ppid, pgid, sid, threads, credentials, cwd, root, umask, rlimits, comm, exe, mm, p,
                stopSignal);
    }

    public ProcessRecord withStopSignal(Integer signal) {
        return new ProcessRecord(pid, ppid, pgid, sid, threads, credentials, cwd, root, umask, rlimits, comm, exe, mm,
                privileges, signal);
    }

    /** Whether the process was stopped by job control when it was saved. */
    public boolean stopped() {
        return stopSignal != null;
    }

    public Rlimit rlimit(int resource) {
        return rlimits.stream().filter(r -> r.resource() == resource).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("no rlimit " + resource));
    }
}
