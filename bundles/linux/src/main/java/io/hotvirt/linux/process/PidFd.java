package io.hotvirt.linux.process;

import com.sun.jna.LastErrorException;
import com.sun.jna.Memory;
import io.hotvirt.linux.jna.Errno;
import io.hotvirt.linux.jna.LibC;
import io.hotvirt.linux.jna.Syscall;

import java.io.IOException;

/**
 * A pidfd (pidfd_open(2), Linux 5.3+): a handle on one process that stays valid across PID reuse.
 * It becomes readable when the process exits; signals sent through it cannot reach a newer process
 * that happens to get the same pid.
 */
public final class PidFd implements AutoCloseable {

    private final int pid;
    private int fd;

    private PidFd(int pid, int fd) {
        this.pid = pid;
        this.fd = fd;
    }

    public static PidFd open(int pid) throws IOException {
        try {
            // pidfds are always close-on-exec, so spawned children do not inherit them
            return new PidFd(pid, (int) LibC.INSTANCE.syscall(Syscall.PIDFD_OPEN, pid, 0));
        } catch (LastErrorException e) {
            throw error("pidfd_open(" + pid + ")", pid, e.getErrorCode(), e);
        }
    }

    public int pid() {
        return pid;
    }

    public int fd() {
        if (fd < 0) {
            throw new IllegalStateException("pidfd of " + pid + " is closed");
        }
        return fd;
    }

    /** True once the process has exited (it may still be a zombie awaiting its parent). Never blocks. */
    public boolean exited() throws IOException {
        Memory pollfd = new Memory(LibC.POLLFD_SIZE);
        pollfd.clear();
        pollfd.setInt(0, fd());
        pollfd.setShort(4, LibC.POLLIN);
        while (true) {
            try {
                return LibC.INSTANCE.poll(pollfd, 1, 0) > 0 && (pollfd.getShort(6) & LibC.POLLIN) != 0;
            } catch (LastErrorException e) {
                if (e.getErrorCode() != Errno.EINTR) {
                    throw new IOException("poll(pidfd of " + pid + "): " + Errno.describe(e.getErrorCode()), e);
                }
            }
        }
    }

    /** Sends a signal to exactly this process (pidfd_send_signal(2)), never to a reused pid. */
    public void signal(int sig) throws IOException {
        try {
            LibC.INSTANCE.syscall(Syscall.PIDFD_SEND_SIGNAL, fd(), sig, 0, 0);
        } catch (LastErrorException e) {
            throw error("pidfd_send_signal(" + pid + ", SIG" + Signals.name(sig) + ")", pid, e.getErrorCode(), e);
        }
    }

    @Override
    public synchronized void close() {
        if (fd >= 0) {
            try {
                LibC.INSTANCE.close(fd);
            } catch (LastErrorException ignored) {
                // nothing useful to do: the fd is released either way
            }
            fd = -1;
        }
    }

    static IOException error(String call, int pid, int errno, Throwable cause) {
        if (errno == Errno.ESRCH) {
            return new IOException(call + ": process " + pid + " does not exist (it has exited)", cause);
        }
        if (errno == Errno.EPERM) {
            return new IOException(call + ": permission denied — hotvirt needs root to manage processes of other"
                    + " users: start Karaf as root", cause);
        }
        if (errno == Errno.ENOSYS) {
            return new IOException(call + ": the kernel has no pidfds — hotvirt needs Linux 5.3 or later", cause);
        }
        return new IOException(call + ": " + Errno.describe(errno), cause);
    }
}
