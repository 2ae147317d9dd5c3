package io.hotvirt.linux.proc;

import java.util.ArrayList;
import java.util.List;

import static io.hotvirt.linux.jna.LibC.O_ACCMODE;
import static io.hotvirt.linux.jna.LibC.O_APPEND;
import static io.hotvirt.linux.jna.LibC.O_CLOEXEC;
import static io.hotvirt.linux.jna.LibC.O_NONBLOCK;

/**
 * An open file descriptor: the {@code /proc/PID/fd/N} link and {@code /proc/PID/fdinfo/N}.
 *
 * @param target what the link points to: a path, {@code pipe:[ino]}, {@code socket:[ino]},
 *               {@code anon_inode:[eventfd]}, {@code /memfd:name (deleted)} …
 * @param pos    the file offset
 * @param flags  the open flags (fdinfo prints them in octal), including O_CLOEXEC
 * @param mntId  the mount the file is on (see /proc/PID/mountinfo)
 * @param inode  the file's inode ({@code ino:}, kernel 5.10+; else 0)
 * @param extra  type-specific fdinfo lines (eventfd-count, tfd, inotify …), as written
 */
public record FdInfo(int fd, String target, long pos, int flags, int mntId, long inode, List<String> extra) {

    public FdInfo {
        extra = List.copyOf(extra);
    }

    /** O_RDONLY (0), O_WRONLY (1) or O_RDWR (2). */
    public int accessMode() {
        return flags & O_ACCMODE;
    }

    public boolean readable() {
        return accessMode() != 1;
    }

    public boolean writable() {
        return accessMode() != 0;
    }

    public boolean append() {
        return (flags & O_APPEND) != 0;
    }

    public boolean nonBlocking() {
        return (flags & O_NONBLOCK) != 0;
    }

    public boolean closeOnExec() {
        return (flags & O_CLOEXEC) != 0;
    }

    public boolean isPipe() {
        return target.startsWith("pipe:[");
    }

    public boolean isSocket() {
        return target.startsWith("socket:[");
    }

    /** eventfd, epoll, signalfd, timerfd, userfaultfd, pidfd … */
    public boolean isAnonInode() {
        return target.startsWith("anon_inode:");
    }

    /** A file in the filesystem (possibly deleted, or a memfd). */
    public boolean isPath() {
        return target.startsWith("/");
    }

    /** Parses the text of {@code /proc/PID/fdinfo/N}. */
    public static FdInfo parse(int fd, String target, String fdinfo) {
        long pos = 0;
        int flags = 0;
        int mntId = 0;
        long inode = 0;
        List<String> extra = new ArrayList<>();
        for (String line : fdinfo.split("\n")) {
            int colon = line.indexOf(':');
            String key = colon < 0 ? line : line.substring(0, colon);
            String value = colon < 0 ? "" : line.substring(colon + 1).strip();
            switch (key) {
                case "pos" -> pos = Long.parseLong(value);
                case "flags" -> flags = Integer.parseInt(value, 8);
                case "mnt_id" -> mntId = Integer.parseInt(value);
                case "ino" -> inode = Long.parseUnsignedLong(value);
                default -> {
                    if (!line.isBlank()) {
                        extra.add(line);
                    }
                }
            }
        }
        return new FdInfo(fd, target, pos, flags, mntId, inode, extra);
    }
}
