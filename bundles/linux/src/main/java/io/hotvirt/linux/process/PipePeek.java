package io.hotvirt.linux.process;

import com.sun.jna.LastErrorException;
import com.sun.jna.Memory;
import io.hotvirt.linux.jna.Errno;
import io.hotvirt.linux.jna.Syscall;
import io.hotvirt.linux.jna.LibC;

import java.io.IOException;

import static io.hotvirt.linux.jna.LibC.F_GETPIPE_SZ;
import static io.hotvirt.linux.jna.LibC.F_SETPIPE_SZ;

/**
 * Reads the data in flight in another process's pipe or FIFO <em>without consuming it</em>: the
 * pipe is opened anew through {@code /proc/PID/fd/N} (O_RDONLY|O_NONBLOCK — for a write end too:
 * the magic link reaches the same pipe inode), the amount of data is asked with ioctl FIONREAD,
 * and tee(2) duplicates the buffers into a pipe of our own, sized to hold them, which is then read.
 * tee never advances the source pipe, so the owner still reads every byte afterwards.
 *
 * <p>The process should be stopped while this runs, or the data may change under it.
 */
public final class PipePeek {

    static final int FIONREAD = 0x541B;
    static final int SPLICE_F_NONBLOCK = 2;

    private PipePeek() {
    }

    /** The bytes in the pipe behind {@code /proc/PID/fd/FD}, left in place. */
    public static byte[] peek(int pid, int fd) throws IOException {
        String path = "/proc/" + pid + "/fd/" + fd;
        LibC c = LibC.INSTANCE;
        int src;
        try {
            src = c.open(path, LibC.O_RDONLY | LibC.O_NONBLOCK | LibC.O_CLOEXEC, 0);
        } catch (LastErrorException e) {
            throw new IOException("cannot open " + path + ": " + Errno.describe(e.getErrorCode()), e);
        }
        int[] own = null;
        try {
            int pending = pending(src, path);
            if (pending == 0) {
                return new byte[0];
            }
            own = pipe();
            final int r = own[0];
            final int w = own[1];
            int capacity = (int) call("fcntl F_GETPIPE_SZ " + path, () -> c.syscall(Syscall.FCNTL, src, F_GETPIPE_SZ, 0));
            int ownCapacity = (int) call("fcntl F_GETPIPE_SZ", () -> c.syscall(Syscall.FCNTL, w, F_GETPIPE_SZ, 0));
            int wanted = Math.max(capacity, pending);
            if (ownCapacity < wanted) {
                call("fcntl F_SETPIPE_SZ " + wanted, () -> c.syscall(Syscall.FCNTL, w, F_SETPIPE_SZ, wanted));
            }
            long teed = call("tee from " + path, () -> c.syscall(Syscall.TEE, src, w, pending, SPLICE_F_NONBLOCK));
            if (teed != pending) {
                throw new IOException("tee from " + path + " copied " + teed + " of " + pending + " bytes");
            }
            byte[] out = new byte[pending];
            Memory buf = new Memory(pending);
            int done = 0;
            while (done < pending) {
                int off = done;
                long n = call("read own pipe", () -> c.read(r, buf.share(off), pending - off));
                if (n <= 0) {
                    throw new IOException("own pipe ended after " + done + " of " + pending + " bytes");
                }
                done += (int) n;
            }
            buf.read(0, out, 0, pending);
            return out;
        } finally {
            closeQuietly(src);
            if (own != null) {
                closeQuietly(own[0]);
                closeQuietly(own[1]);
            }
        }
    }

    /** How many bytes wait in the pipe behind {@code /proc/PID/fd/FD} (FIONREAD). */
    public static int pendingBytes(int pid, int fd) throws IOException {
        String path = "/proc/" + pid + "/fd/" + fd;
        int src;
        try {
            src = LibC.INSTANCE.open(path, LibC.O_RDONLY | LibC.O_NONBLOCK | LibC.O_CLOEXEC, 0);
        } catch (LastErrorException e) {
            throw new IOException("cannot open " + path + ": " + Errno.describe(e.getErrorCode()), e);
        }
        try {
            return pending(src, path);
        } finally {
            closeQuietly(src);
        }
    }

    private static int pending(int fd, String what) throws IOException {
        Memory n = new Memory(4);
        n.setInt(0, 0);
        call("ioctl FIONREAD " + what, () -> LibC.INSTANCE.syscall(Syscall.IOCTL, fd, FIONREAD, com.sun.jna.Pointer.nativeValue(n)));
        return n.getInt(0);
    }

    private static int[] pipe() throws IOException {
        Memory fds = new Memory(8);
        call("pipe2", () -> LibC.INSTANCE.syscall(Syscall.PIPE2, com.sun.jna.Pointer.nativeValue(fds), LibC.O_CLOEXEC));
        return new int[] {fds.getInt(0), fds.getInt(4)};
    }

    private interface Call {
        long run();
    }

    private static long call(String what, Call call) throws IOException {
        try {
            return call.run();
        } catch (LastErrorException e) {
            throw new IOException(what + ": " + Errno.describe(e.getErrorCode()), e);
        }
    }

    private static void closeQuietly(int fd) {
        try {
            LibC.INSTANCE.close(fd);
        } catch (LastErrorException ignored) {
            // nothing to do
        }
    }
}
