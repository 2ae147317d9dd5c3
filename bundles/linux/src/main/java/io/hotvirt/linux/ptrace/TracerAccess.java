package io.hotvirt.linux.ptrace;

import com.sun.jna.LastErrorException;
import com.sun.jna.Pointer;
import io.hotvirt.linux.jna.Errno;
import io.hotvirt.linux.jna.LibC;
import io.hotvirt.linux.jna.Syscall;

import java.io.IOException;

/** Raw ptrace requests with a pointer argument, for code already running on a {@link Tracer}'s thread. */
final class TracerAccess {

    private TracerAccess() {
    }

    /** ptrace(request, tid, addr, data) with a pointer argument; on the tracer thread only. Returns the result. */
    static long ptrace(int request, int tid, long addr, Pointer data, String what) throws IOException {
        try {
            return LibC.INSTANCE.syscall(Syscall.PTRACE, request, tid, addr, data);
        } catch (LastErrorException e) {
            throw new IOException("ptrace(" + what + ", " + tid + "): " + Errno.describe(e.getErrorCode()), e);
        }
    }

    /** ptrace(request, tid, addr, data) with integer arguments; on the tracer thread only. */
    static long ptrace(int request, int tid, long addr, long data, String what) throws IOException {
        try {
            return LibC.INSTANCE.syscall(Syscall.PTRACE, request, tid, addr, data);
        } catch (LastErrorException e) {
            throw new IOException("ptrace(" + what + ", " + tid + "): " + Errno.describe(e.getErrorCode()), e);
        }
    }

    /** ptrace with both addr and data as pointers (PTRACE_PEEKSIGINFO). */
    static long ptrace(int request, int tid, Pointer addr, Pointer data, String what) throws IOException {
        try {
            return LibC.INSTANCE.syscall(Syscall.PTRACE, request, tid, addr, data);
        } catch (LastErrorException e) {
            throw new IOException("ptrace(" + what + ", " + tid + "): " + Errno.describe(e.getErrorCode()), e);
        }
    }
}
