package io.hotvirt.checkpoint.restore;

import io.hotvirt.checkpoint.tree.Credentials;
import io.hotvirt.linux.jna.LibC;
import io.hotvirt.linux.jna.Syscall;
import io.hotvirt.linux.ptrace.ProcessMemory;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;

import static io.hotvirt.linux.jna.LibC.AT_FDCWD;
import static io.hotvirt.linux.jna.LibC.F_DUPFD_CLOEXEC;
import static io.hotvirt.linux.jna.LibC.F_GETFL;
import static io.hotvirt.linux.jna.LibC.F_SETFD;
import static io.hotvirt.linux.jna.LibC.F_SETFL;

/**
 * The fd table of one restoring process, changed by injected syscalls. Every object made while
 * restoring is first <em>parked</em> at an fd above every fd the image gives the process, so that
 * a temporary never sits on (and is never clobbered by) an fd still to be installed; fds the
 * kernel hands out at the lowest free number live only until the next syscall moves them.
 * Parked fds and pidfds are temporaries, closed by {@link #closeTemporaries()}.
 */
final class FdSpace {

    static final int FD_CLOEXEC = 1;
    static final int SEEK_SET = 0;
    /** The flags F_SETFL changes (fs/fcntl.c SETFL_MASK without FASYNC, which needs an owner). */
    static final int SETFL_MASK = LibC.O_APPEND | LibC.O_NONBLOCK | 040000 /* O_DIRECT */ | 01000000 /* O_NOATIME */;

    private static final int PATH_AT = 0;
    private static final int DATA_AT = 8192;

    final RestoringProcess process;
    /** The process's PID as the image (and its PID namespace) numbers it. */
    final int imagePid;
    /** Whom its opens are permission-checked as ({@link FsIdentity}); null: root. */
    private final Credentials identity;
    private final int spare;
    private final Set<Integer> temporaries = new LinkedHashSet<>();
    private final Map<Integer, Integer> pidfds = new HashMap<>(); // owner image pid -> parked pidfd

    /**
     * @param identity the process's saved credentials, its opens are checked as (null: root)
     * @param spare    the lowest fd a temporary may be parked at: above every fd of the image
     */
    FdSpace(RestoringProcess process, int imagePid, Credentials identity, int spare) {
        this.process = process;
        this.imagePid = imagePid;
        this.identity = identity;
        this.spare = spare;
    }

    /** openat(AT_FDCWD, path, flags) as the process's saved identity: the raw fd. */
    int open(String path, int flags) throws IOException {
        return FsIdentity.as(process, identity, () -> (int) process.call("openat", Syscall.OPENAT, AT_FDCWD,
                process.writeString(PATH_AT, path), flags, 0));
    }

    /**
     * {@link #open}, and when the saved identity may not open the file, as root: a daemon that opened
     * its log as root and then dropped to a user holds an fd its user could not open. The caller must
     * then prove the fd is the very file the image saw (device and inode), so root never opens
     * anything else on the workload's behalf.
     */
    int openAsGranted(String path, int flags) throws IOException {
        try {
            return open(path, flags);
        } catch (IOException e) {
            String why = String.valueOf(e.getMessage());
            if (identity == null || !(why.contains("EACCES") || why.contains("EPERM"))) {
                throw e;
            }
            return (int) process.call("openat", Syscall.OPENAT, AT_FDCWD, process.writeString(PATH_AT, path), flags, 0);
        }
    }

    /** In {@link #pair}'s arguments: where the int[2] the syscall fills goes. */
    static final long FDS = Long.MIN_VALUE;

    /** Runs pipe2 or socketpair, {@link #FDS} standing for the int[2] they fill, and returns the two fds. */
    int[] pair(String name, long number, long... args) throws IOException {
        long[] real = args.clone();
        for (int i = 0; i < real.length; i++) {
            if (real[i] == FDS) {
                real[i] = process.scratch() + DATA_AT;
            }
        }
        process.call(name, number, real);
        ByteBuffer b = ByteBuffer.wrap(ProcessMemory.read(process.pid(), process.scratch() + DATA_AT, 8))
                .order(ByteOrder.LITTLE_ENDIAN);
        return new int[] {b.getInt(0), b.getInt(4)};
    }

    /** Moves a raw fd up to the parking area (close-on-exec) and returns where it is now. */
    int park(int raw) throws IOException {
        int parked = (int) process.call("fcntl F_DUPFD_CLOEXEC", Syscall.FCNTL, raw, F_DUPFD_CLOEXEC, spare);
        process.call("close", Syscall.CLOSE, raw);
        temporaries.add(parked);
        return parked;
    }

    /** Closes a parked fd now (an unused pipe end, a pair end handed to another process). */
    void closeParked(int fd) throws IOException {
        process.call("close", Syscall.CLOSE, fd);
        temporaries.remove(fd);
    }

    /** Puts {@code src} at {@code target} with the given close-on-exec; dup3 refuses equal fds, so then only F_SETFD. */
    void install(int src, int target, boolean closeOnExec) throws IOException {
        if (src == target) {
            process.call("fcntl F_SETFD", Syscall.FCNTL, target, F_SETFD, closeOnExec ? FD_CLOEXEC : 0);
        } else {
            process.call("dup3", Syscall.DUP3, src, target, closeOnExec ? LibC.O_CLOEXEC : 0);
        }
    }

    void close(int fd) throws IOException {
        process.call("close", Syscall.CLOSE, fd);
    }

    /**
     * Takes fd {@code ownerFd} of the process the image numbers {@code ownerImagePid} into this one
     * (pidfd_open once per owner, parked; then pidfd_getfd): the same open file description. Returns
     * the raw fd, which the caller installs or parks.
     */
    int receive(int ownerImagePid, int ownerFd) throws IOException {
        Integer pidfd = pidfds.get(ownerImagePid);
        if (pidfd == null) {
            pidfd = park((int) process.call("pidfd_open", Syscall.PIDFD_OPEN, ownerImagePid, 0));
            pidfds.put(ownerImagePid, pidfd);
        }
        return (int) process.call("pidfd_getfd", Syscall.PIDFD_GETFD, pidfd, ownerFd, 0);
    }

    /** F_SETFL when the status flags {@code created} with differ from the {@code wanted} ones. */
    void fixFlags(int fd, int created, int wanted) throws IOException {
        if (((created ^ wanted) & SETFL_MASK) != 0) {
            process.call("fcntl F_SETFL", Syscall.FCNTL, fd, F_SETFL, wanted & SETFL_MASK);
        }
    }

    void seek(int fd, long offset) throws IOException {
        long at = process.call("lseek", Syscall.LSEEK, fd, offset, SEEK_SET);
        if (at != offset) {
            throw new IOException("lseek to " + offset + " went to " + at);
        }
    }

    /** write(fd, bytes) from the scratch area; bytes must fit in it. */
    void write(int fd, byte[] bytes) throws IOException {
        process.write(process.scratch() + DATA_AT, bytes);
        long n = process.call("write", Syscall.WRITE, fd, process.scratch() + DATA_AT, bytes.length);
        if (n != bytes.length) {
            throw new IOException("write of " + bytes.length + " bytes wrote " + n);
        }
    }

    /** {@code /proc/PID/fd/N} of this process as the restorer sees it. */
    Path procFd(int fd) {
        return Path.of("/proc", Integer.toString(process.pid()), "fd", Integer.toString(fd));
    }

    void closeTemporaries() throws IOException {
        for (int fd : temporaries) {
            process.call("close", Syscall.CLOSE, fd);
        }
        temporaries.clear();
        pidfds.clear();
    }
}
