package io.hotvirt.linux.ptrace;

import com.sun.jna.Memory;
import io.hotvirt.linux.jna.LibC;

import java.io.IOException;
import java.util.Arrays;

/**
 * The FPU/SSE/AVX state of a stopped tracee through PTRACE_GETREGSET / PTRACE_SETREGSET.
 *
 * <p>NT_X86_XSTATE (the XSAVE area in its standard, uncompacted user format) when the CPU has
 * XSAVE, else NT_PRFPREG (the 512-byte FXSAVE area). The size of the XSAVE area depends on the
 * CPU (576 bytes with SSE only, 832 with AVX, 2.7 KiB with AVX-512, 11 KiB with AMX): it is read
 * into a generous buffer and the kernel says in the iovec's length how much it filled.
 *
 * @param note  the regset: {@link #NT_X86_XSTATE} or {@link #NT_PRFPREG}
 * @param bytes the raw area, exactly as the kernel returned it
 */
public record XState(int note, byte[] bytes) {

    /** struct user_fpregs_struct (FXSAVE layout). */
    public static final int NT_PRFPREG = 2;
    /** The XSAVE area. */
    public static final int NT_X86_XSTATE = 0x202;
    /** sizeof(struct user_fpregs_struct). */
    public static final int FXSAVE_SIZE = 512;

    /** More than any XSAVE area of today's CPUs (AMX: 11008 bytes); the kernel truncates at the buffer's end. */
    private static final int BUFFER = 64 * 1024;
    private static final int IOVEC_SIZE = 16;

    public XState {
        bytes = bytes.clone();
    }

    @Override
    public byte[] bytes() {
        return bytes.clone();
    }

    public int size() {
        return bytes.length;
    }

    /** XSTATE_BV of an XSAVE area (bytes 512..519): which state components are saved. */
    public long xstateBv() {
        if (note != NT_X86_XSTATE || bytes.length < 520) {
            return 0;
        }
        long v = 0;
        for (int i = 7; i >= 0; i--) {
            v = (v << 8) | (bytes[512 + i] & 0xff);
        }
        return v;
    }

    /** Reads the state of a stopped tracee: NT_X86_XSTATE, or NT_PRFPREG where the kernel has no XSAVE regset. */
    public static XState get(Tracer tracer, int tid) throws IOException {
        return tracer.execute(() -> {
            try {
                return new XState(NT_X86_XSTATE, getRegset(tid, NT_X86_XSTATE, BUFFER, "NT_X86_XSTATE"));
            } catch (IOException e) {
                if (!e.getMessage().contains("ENODEV") && !e.getMessage().contains("EINVAL")
                        && !e.getMessage().contains("errno 19")) {
                    throw e;
                }
                return new XState(NT_PRFPREG, getRegset(tid, NT_PRFPREG, FXSAVE_SIZE, "NT_PRFPREG"));
            }
        });
    }

    /**
     * Writes the state back into a stopped tracee. An XSAVE area must have the size this CPU's
     * kernel reports (restoring on another CPU model with a different size fails with EFAULT).
     */
    public static void set(Tracer tracer, int tid, XState state) throws IOException {
        tracer.execute(() -> {
            Memory buf = new Memory(state.bytes.length);
            buf.write(0, state.bytes, 0, state.bytes.length);
            Memory iov = new Memory(IOVEC_SIZE);
            iov.setPointer(0, buf);
            iov.setLong(8, state.bytes.length);
            TracerAccess.ptrace(LibC.PTRACE_SETREGSET, tid, state.note, iov,
                    "PTRACE_SETREGSET " + (state.note == NT_X86_XSTATE ? "NT_X86_XSTATE" : "NT_PRFPREG")
                            + " (" + state.bytes.length + " bytes)");
            return null;
        });
    }

    private static byte[] getRegset(int tid, int note, int size, String name) throws IOException {
        Memory buf = new Memory(size);
        buf.clear();
        Memory iov = new Memory(IOVEC_SIZE);
        iov.setPointer(0, buf);
        iov.setLong(8, size);
        TracerAccess.ptrace(LibC.PTRACE_GETREGSET, tid, note, iov, "PTRACE_GETREGSET " + name);
        long got = iov.getLong(8);
        if (got <= 0 || got > size) {
            throw new IOException("ptrace(PTRACE_GETREGSET " + name + ", " + tid + ") returned " + got + " bytes");
        }
        return buf.getByteArray(0, (int) got);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof XState x && x.note == note && Arrays.equals(x.bytes, bytes);
    }

    @Override
    public int hashCode() {
        return 31 * note + Arrays.hashCode(bytes);
    }

    @Override
    public String toString() {
        return "XState[" + (note == NT_X86_XSTATE ? "NT_X86_XSTATE" : "NT_PRFPREG") + ", " + bytes.length
                + " bytes, xstate_bv=0x" + Long.toHexString(xstateBv()) + "]";
    }
}
