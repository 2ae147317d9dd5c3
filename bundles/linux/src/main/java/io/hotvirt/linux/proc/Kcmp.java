package io.hotvirt.linux.proc;

import com.sun.jna.LastErrorException;
import io.hotvirt.linux.jna.Errno;
import io.hotvirt.linux.jna.LibC;
import io.hotvirt.linux.jna.Syscall;

import java.io.IOException;

/**
 * kcmp(2) (syscall 312, CONFIG_KCMP): whether two processes share a kernel object. With
 * {@link #KCMP_FILE} it tells whether two file descriptors refer to the same open file description
 * ({@code struct file}): after a fork, parent and child share one description and so one offset.
 * Needs PTRACE_MODE_READ on both processes (same uid, or root).
 */
public final class Kcmp {

    public static final int KCMP_FILE = 0;
    public static final int KCMP_VM = 1;
    public static final int KCMP_FILES = 2;
    public static final int KCMP_FS = 3;
    public static final int KCMP_SIGHAND = 4;
    public static final int KCMP_IO = 5;
    public static final int KCMP_SYSVSEM = 6;

    private Kcmp() {
    }

    /**
     * The raw kcmp result: 0 equal, 1 or 2 ordered (less, greater by the kernel's pointer
     * obfuscation), 3 not equal but unordered.
     */
    public static int compare(int pid1, int pid2, int type, long idx1, long idx2) throws IOException {
        try {
            return (int) LibC.INSTANCE.syscall(Syscall.KCMP, pid1, pid2, type, idx1, idx2);
        } catch (LastErrorException e) {
            throw new IOException("kcmp(" + pid1 + ", " + pid2 + ", " + type + ", " + idx1 + ", " + idx2 + "): "
                    + Errno.describe(e.getErrorCode()), e);
        }
    }

    /** True if fd1 of pid1 and fd2 of pid2 are the same open file description. */
    public static boolean sameFile(int pid1, int fd1, int pid2, int fd2) throws IOException {
        return compare(pid1, pid2, KCMP_FILE, fd1, fd2) == 0;
    }
}
