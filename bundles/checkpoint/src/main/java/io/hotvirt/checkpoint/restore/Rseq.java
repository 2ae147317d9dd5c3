package io.hotvirt.checkpoint.restore;

import com.sun.jna.LastErrorException;
import com.sun.jna.Memory;
import io.hotvirt.linux.jna.Errno;
import io.hotvirt.linux.jna.LibC;
import io.hotvirt.linux.jna.Syscall;
import io.hotvirt.linux.ptrace.SyscallInjector;
import io.hotvirt.linux.ptrace.Tracer;

import java.io.IOException;

/**
 * A thread's restartable-sequences registration (glibc registers one per thread). The kernel
 * writes to that area on every return to user space and raises SIGSEGV when it is gone, so a husk
 * must unregister it before restore unmaps the husk's memory.
 */
public record Rseq(long pointer, int size, int signature) {

    private static final int PTRACE_GET_RSEQ_CONFIGURATION = 0x420f;
    private static final int CONFIGURATION_BYTES = 24;
    private static final int RSEQ_FLAG_UNREGISTER = 1;

    /** The registration of stopped tracee {@code tid}; pointer 0 when there is none. */
    public static Rseq of(Tracer tracer, int tid) throws IOException {
        return tracer.execute(() -> {
            Memory m = new Memory(CONFIGURATION_BYTES);
            m.clear();
            try {
                LibC.INSTANCE.syscall(Syscall.PTRACE, PTRACE_GET_RSEQ_CONFIGURATION, tid, CONFIGURATION_BYTES, m);
            } catch (LastErrorException e) {
                throw new IOException("ptrace(PTRACE_GET_RSEQ_CONFIGURATION, " + tid + "): "
                        + Errno.describe(e.getErrorCode()), e);
            }
            return new Rseq(m.getLong(0), m.getInt(8), m.getInt(12));
        });
    }

    /** Unregisters the rseq area of thread {@code tid}, if it has one. */
    static void unregister(Tracer tracer, SyscallInjector injector, int tid) throws IOException {
        Rseq r = of(tracer, tid);
        if (r.pointer() != 0) {
            injector.call(tid, "rseq(RSEQ_FLAG_UNREGISTER)", Syscall.RSEQ, r.pointer(), r.size(), RSEQ_FLAG_UNREGISTER,
                    r.signature() & 0xffffffffL);
        }
    }
}
