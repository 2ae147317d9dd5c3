package io.hotvirt.linux.ptrace;

import com.sun.jna.Memory;

import io.hotvirt.linux.jna.LibC;
import java.io.IOException;

/**
 * A stopped tracee's blocked-signal mask through PTRACE_GETSIGMASK / PTRACE_SETSIGMASK (bit n-1 for
 * signal n). Setting it this way runs no instruction in the tracee, unlike an injected
 * rt_sigprocmask, so no pending signal the new mask unblocks is delivered before the tracee runs on.
 */
public final class SignalMask {

    public static final int PTRACE_GETSIGMASK = 0x420a;
    public static final int PTRACE_SETSIGMASK = 0x420b;
    private static final int SIGSET_BYTES = LibC.KERNEL_SIGSET_SIZE;

    private SignalMask() {
    }

    public static long get(Tracer tracer, int tid) throws IOException {
        return tracer.execute(() -> {
            Memory m = new Memory(SIGSET_BYTES);
            TracerAccess.ptrace(PTRACE_GETSIGMASK, tid, SIGSET_BYTES, m, "PTRACE_GETSIGMASK");
            return m.getLong(0);
        });
    }

    /** Sets the mask; the kernel leaves SIGKILL and SIGSTOP out. */
    public static void set(Tracer tracer, int tid, long mask) throws IOException {
        tracer.execute(() -> {
            Memory m = new Memory(SIGSET_BYTES);
            m.setLong(0, mask);
            TracerAccess.ptrace(PTRACE_SETSIGMASK, tid, SIGSET_BYTES, m, "PTRACE_SETSIGMASK");
            return null;
        });
    }
}
