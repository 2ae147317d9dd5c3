package io.hotvirt.checkpoint.restore;

import io.hotvirt.checkpoint.cpu.ThreadRegistrations;
import io.hotvirt.linux.jna.Syscall;

import java.io.IOException;

/**
 * Makes a restored thread's kernel registrations again, injected into the thread itself (each
 * syscall registers the caller): set_tid_address, set_robust_list, rseq. The memory they point at
 * is the restored memory, so only the kernel's side is missing. A clone made by {@link PidCreator}
 * has none of them (no CLONE_CHILD_CLEARTID, robust list reset on clone, rseq dropped by the husk),
 * so none is undone first.
 */
final class ThreadRegistrationsRestorer {

    private ThreadRegistrationsRestorer() {
    }

    /** {@code tid}: the thread here, stopped; {@code r} null (an older image): nothing to do. */
    static void restore(RestoringProcess p, int tid, ThreadRegistrations r) throws IOException {
        if (r == null) {
            return;
        }
        if (r.clearChildTid() != 0) {
            p.call(tid, "set_tid_address", Syscall.SET_TID_ADDRESS, r.clearChildTid());
        }
        if (r.robustListHead() != 0) {
            p.call(tid, "set_robust_list", Syscall.SET_ROBUST_LIST, r.robustListHead(), r.robustListLen());
        }
        if (r.rseqPointer() != 0) {
            p.call(tid, "rseq", Syscall.RSEQ, r.rseqPointer(), r.rseqSize(), 0, r.rseqSignature() & 0xffffffffL);
        }
    }
}
