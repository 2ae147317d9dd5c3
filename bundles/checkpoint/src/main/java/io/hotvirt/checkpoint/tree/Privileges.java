package io.hotvirt.checkpoint.tree;

import io.hotvirt.linux.proc.ProcStatus;

/**
 * What a process may do beyond its uids, as /proc/PID/status shows it: capability sets (bit masks),
 * no_new_privs and the seccomp mode; and whether its user may inspect it (ptrace, /proc, core
 * dumps). A restore must not hand back what the process had given up, nor take more away.
 *
 * @param seccomp  0 none, 1 strict, 2 filter
 * @param dumpable PR_GET_DUMPABLE: 0 no, 1 by its user, 2 by root only; null where not saved
 *                 (older images, or not read yet)
 */
public record Privileges(long inheritable, long permitted, long effective, long bounding, long ambient,
                         boolean noNewPrivs, int seccomp, Integer dumpable) {

    public Privileges withDumpable(int value) {
        return new Privileges(inheritable, permitted, effective, bounding, ambient, noNewPrivs, seccomp, value);
    }

    static Privileges of(ProcStatus s) {
        return new Privileges(hex(s, "CapInh"), hex(s, "CapPrm"), hex(s, "CapEff"), hex(s, "CapBnd"),
                hex(s, "CapAmb"), "1".equals(trim(s.field("NoNewPrivs"))), Integer.parseInt(orZero(s.field("Seccomp"))), null);
    }

    private static long hex(ProcStatus s, String field) {
        return Long.parseUnsignedLong(orZero(s.field(field)), 16);
    }

    private static String orZero(String v) {
        return v == null || v.isBlank() ? "0" : v.trim();
    }

    private static String trim(String v) {
        return v == null ? null : v.trim();
    }
}
