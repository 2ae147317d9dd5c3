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
 */
public record ProcessRecord(int pid, int ppid, int pgid, int sid, List<Integer> threads, Credentials credentials,
                            String cwd, String root, int umask, List<Rlimit> rlimits, String comm, String exe,
                            MmFields mm, Privileges privileges) {

    public ProcessRecord {
        threads = List.copyOf(threads);
        rlimits = List.copyOf(rlimits);
    }

    public ProcessRecord withPrivileges(Privileges p) {
        return new ProcessRecord(pid, ppid, pgid, sid, threads, credentials, cwd, root, umask, rlimits, comm, exe, mm, p);
    }

    public Rlimit rlimit(int resource) {
        return rlimits.stream().filter(r -> r.resource() == resource).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("no rlimit " + resource));
    }
}
