package io.hotvirt.checkpoint.tree;

import io.hotvirt.linux.proc.ProcStatus;
import io.hotvirt.linux.proc.Procfs;

import java.util.Collection;
import java.util.Optional;
import java.util.TreeSet;

/**
 * Finds a thread under seccomp ({@code Seccomp:} in /proc/PID/task/TID/status: 1 strict, 2 filter).
 * A dump must refuse such a domain before it freezes or injects anything: strict mode allows only
 * read, write, _exit and sigreturn, so the first syscall a dump injects kills the process, and a
 * filter may kill it as well or make an injected syscall fail; and a restore, which cannot
 * recreate the filter, refuses the image anyway. Seccomp is per thread, so every thread is looked at.
 */
public final class SeccompCheck {

    private SeccompCheck() {
    }

    /** Why the first process of {@code pids} with a thread under seccomp cannot be dumped; empty if none. */
    public static Optional<String> confined(Collection<Integer> pids) {
        for (int pid : new TreeSet<>(pids)) {
            for (int tid : Procfs.tasks(pid)) {
                Optional<ProcStatus> status = Procfs.taskStatus(pid, tid);
                int mode = status.map(s -> mode(s.field("Seccomp"))).orElse(0);
                if (mode != 0) {
                    String comm = Procfs.stat(pid).map(s -> s.comm()).orElse("?");
                    return Optional.of("process " + pid + " (" + comm + ")" + (tid != pid ? ", thread " + tid + "," : "")
                            + (mode == 1
                                    ? " runs in strict seccomp mode: it may make no syscall but read, write, _exit"
                                    + " and sigreturn, and the syscalls a dump injects would kill it"
                                    : " runs under a seccomp filter, which may kill it, or refuse, for a syscall a dump"
                                    + " injects")
                            + "; a restore could not recreate its seccomp state either");
                }
            }
        }
        return Optional.empty();
    }

    private static int mode(String field) {
        if (field == null || field.isBlank()) {
            return 0;
        }
        try {
            return Integer.parseInt(field.trim());
        } catch (NumberFormatException e) {
            return 0;
        }
    }
}
