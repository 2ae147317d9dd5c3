package io.hotvirt.linux.ptrace;

import com.sun.jna.LastErrorException;
import com.sun.jna.Memory;
import com.sun.jna.Pointer;
import io.hotvirt.linux.jna.Errno;
import io.hotvirt.linux.jna.LibC;

import java.io.IOException;

/**
 * Another process's memory in bulk through process_vm_readv / process_vm_writev: one syscall per
 * range instead of a PTRACE_PEEKDATA per word. Needs ptrace access to the process (root, or
 * CAP_SYS_PTRACE), not a ptrace attachment, so any thread may call it.
 */
public final class ProcessMemory {

    private static final int IOVEC_SIZE = 16;

    private ProcessMemory() {
    }

    /** Reads {@code length} bytes at {@code address}. Fails if any part is not mapped readable. */
    public static byte[] read(int pid, long address, int length) throws IOException {
        Memory local = new Memory(Math.max(length, 1));
        read(pid, address, local, length);
        return local.getByteArray(0, length);
    }

    /** Reads {@code length} bytes at {@code address} into native memory {@code local}. */
    public static void read(int pid, long address, Pointer local, long length) throws IOException {
        transfer(pid, address, local, length, false);
    }

    /** Writes {@code data} at {@code address}; the pages must be mapped writable (unlike ptrace pokes). */
    public static void write(int pid, long address, byte[] data) throws IOException {
        Memory local = new Memory(Math.max(data.length, 1));
        local.write(0, data, 0, data.length);
        write(pid, address, local, data.length);
    }

    public static void write(int pid, long address, Pointer local, long length) throws IOException {
        transfer(pid, address, local, length, true);
    }

    private static void transfer(int pid, long address, Pointer local, long length, boolean write) throws IOException {
        Memory iov = new Memory(2 * IOVEC_SIZE);
        long done = 0;
        while (done < length) {
            iov.setPointer(0, local.share(done));
            iov.setLong(8, length - done);
            iov.setLong(IOVEC_SIZE, address + done);
            iov.setLong(IOVEC_SIZE + 8, length - done);
            long n;
            try {
                n = write
                        ? LibC.INSTANCE.process_vm_writev(pid, iov, 1, iov.share(IOVEC_SIZE), 1, 0)
                        : LibC.INSTANCE.process_vm_readv(pid, iov, 1, iov.share(IOVEC_SIZE), 1, 0);
            } catch (LastErrorException e) {
                throw error(pid, address + done, length - done, write, e.getErrorCode(), e);
            }
            if (n <= 0) { // a partial transfer stops at the first unmapped page
                throw error(pid, address + done, length - done, write, Errno.EFAULT, null);
            }
            done += n;
        }
    }

    private static IOException error(int pid, long address, long length, boolean write, int errno, Throwable cause) {
        String what = (write ? "process_vm_writev" : "process_vm_readv") + "(" + pid + ", 0x"
                + Long.toHexString(address) + ", " + length + " bytes): " + Errno.describe(errno);
        return switch (errno) {
            case Errno.EFAULT -> new IOException(what + " — the range is not mapped"
                    + (write ? " writable" : " readable") + " in process " + pid, cause);
            case Errno.ESRCH -> new IOException(what + " — process " + pid + " does not exist (it has exited)", cause);
            case Errno.EPERM -> new IOException(what + " — hotvirt needs root or CAP_SYS_PTRACE to access the"
                    + " memory of process " + pid, cause);
            default -> new IOException(what, cause);
        };
    }
}
