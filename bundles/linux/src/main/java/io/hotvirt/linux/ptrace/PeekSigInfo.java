package io.hotvirt.linux.ptrace;

import com.sun.jna.Memory;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/**
 * The queued signals of a stopped tracee, read without dequeuing them (PTRACE_PEEKSIGINFO): the
 * thread's private queue or its process's shared queue, each entry a raw 128-byte siginfo_t.
 */
public final class PeekSigInfo {

    public static final int PTRACE_PEEKSIGINFO = 0x4209;
    /** Read the process-wide (shared) queue instead of the thread's. */
    public static final int PTRACE_PEEKSIGINFO_SHARED = 1;
    public static final int SIGINFO_SIZE = 128;
    private static final int BATCH = 32;

    private PeekSigInfo() {
    }

    /** Every queued siginfo_t (128 bytes each), oldest first. */
    public static List<byte[]> peek(Tracer tracer, int tid, boolean shared) throws IOException {
        return tracer.execute(() -> {
            List<byte[]> out = new ArrayList<>();
            Memory args = new Memory(16); // struct ptrace_peeksiginfo_args { u64 off; u32 flags; s32 nr; }
            Memory buf = new Memory((long) BATCH * SIGINFO_SIZE);
            while (true) {
                args.setLong(0, out.size());
                args.setInt(8, shared ? PTRACE_PEEKSIGINFO_SHARED : 0);
                args.setInt(12, BATCH);
                long n = TracerAccess.ptrace(PTRACE_PEEKSIGINFO, tid, args, buf,
                        "PTRACE_PEEKSIGINFO" + (shared ? " shared" : ""));
                for (int i = 0; i < n; i++) {
                    out.add(buf.getByteArray((long) i * SIGINFO_SIZE, SIGINFO_SIZE));
                }
                if (n < BATCH) {
                    return out;
                }
            }
        });
    }

    /** si_signo of a raw siginfo_t. */
    public static int signo(byte[] siginfo) {
        return (siginfo[0] & 0xff) | (siginfo[1] & 0xff) << 8 | (siginfo[2] & 0xff) << 16 | siginfo[3] << 24;
    }

    /** si_code of a raw siginfo_t (offset 8; si_errno is at 4). */
    public static int code(byte[] siginfo) {
        return (siginfo[8] & 0xff) | (siginfo[9] & 0xff) << 8 | (siginfo[10] & 0xff) << 16 | siginfo[11] << 24;
    }
}
