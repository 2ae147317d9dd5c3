package io.hotvirt.linux.cgroup;

import com.sun.jna.LastErrorException;
import io.hotvirt.linux.jna.Errno;
import io.hotvirt.linux.jna.LibC;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;

/**
 * Reads and writes cgroup interface files, turning errno into messages that name the file, the
 * problem and the fix. Writes go through write(2) directly: the kernel takes one value per write,
 * and the errno (EBUSY, ESRCH, ENOSPC …) is what tells what went wrong.
 */
final class CgroupIo {

    static final String NEEDS_ROOT = "hotvirt needs root (CAP_SYS_ADMIN) to manage cgroups: start Karaf as root";

    private CgroupIo() {
    }

    /** The file's content without the trailing newline. */
    static String read(Path file) throws IOException {
        try {
            String s = Files.readString(file, StandardCharsets.UTF_8);
            return s.endsWith("\n") ? s.substring(0, s.length() - 1) : s;
        } catch (NoSuchFileException e) {
            throw new NoSuchFileException(null, null, "reading " + file
                    + ": no such file — the cgroup does not exist or its controller is not enabled there");
        } catch (IOException e) {
            if (!Files.exists(file)) { // removed between open and read: the kernel says ENODEV
                throw new NoSuchFileException(null, null, "reading " + file + ": the cgroup was removed meanwhile");
            }
            throw new IOException("reading " + file + ": " + e.getMessage(), e);
        }
    }

    static void write(Path file, String value) throws IOException {
        LibC c = LibC.INSTANCE;
        byte[] bytes = value.getBytes(StandardCharsets.UTF_8);
        int fd;
        try {
            fd = c.open(file.toString(), LibC.O_WRONLY | LibC.O_CLOEXEC, 0);
        } catch (LastErrorException e) {
            throw error("writing " + file, file, value, e.getErrorCode(), e);
        }
        try {
            c.write(fd, bytes, bytes.length);
        } catch (LastErrorException e) {
            throw error("writing " + value + " to " + file, file, value, e.getErrorCode(), e);
        } finally {
            try {
                c.close(fd);
            } catch (LastErrorException ignored) {
                // the write's outcome is already known
            }
        }
    }

    /** Creates one directory level; false if it existed already. */
    static boolean mkdir(Path dir) throws IOException {
        try {
            LibC.INSTANCE.mkdir(dir.toString(), 0755);
            return true;
        } catch (LastErrorException e) {
            if (e.getErrorCode() == Errno.EEXIST) {
                return false;
            }
            throw error("creating cgroup " + dir, dir, null, e.getErrorCode(), e);
        }
    }

    /** Removes one cgroup directory; false if it did not exist. */
    static boolean rmdir(Path dir) throws IOException {
        try {
            LibC.INSTANCE.rmdir(dir.toString());
            return true;
        } catch (LastErrorException e) {
            if (e.getErrorCode() == Errno.ENOENT) {
                return false;
            }
            if (e.getErrorCode() == Errno.EBUSY || e.getErrorCode() == Errno.ENOTEMPTY) {
                throw new IOException("removing cgroup " + dir + ": " + Errno.describe(e.getErrorCode())
                        + " — it still has processes or child cgroups: release or kill them first", e);
            }
            throw error("removing cgroup " + dir, dir, null, e.getErrorCode(), e);
        }
    }

    static IOException error(String doing, Path file, String value, int errno, Throwable cause) {
        String name = file.getFileName().toString();
        String problem = switch (errno) {
            case Errno.EACCES, Errno.EPERM -> "permission denied — " + NEEDS_ROOT;
            case Errno.EROFS -> "the cgroup filesystem is mounted read-only — give the container a writable"
                    + " cgroup mount (e.g. a privileged container, or --cgroupns=private with rw /sys/fs/cgroup)";
            case Errno.ENOENT -> "no such file or directory — the cgroup does not exist (any more), or the"
                    + " controller is not enabled for it";
            case Errno.ESRCH -> "process " + value + " does not exist (it has exited)";
            case Errno.EBUSY -> name.equals("cgroup.subtree_control")
                    ? "the cgroup has processes of its own, and cgroup v2 allows controllers only for cgroups"
                    + " without processes (\"no internal processes\"): move them to a leaf cgroup first"
                    : "the cgroup has child cgroups with controllers enabled; cgroup v2 puts processes in leaf"
                    + " cgroups only (\"no internal processes\")";
            case Errno.ENOSPC -> name.equals("cgroup.procs")
                    ? "the cgroup's cpuset.cpus or cpuset.mems is empty: set them (hotvirt copies them from the"
                    + " parent when it creates a cgroup)"
                    : "the kernel refused the value (no space: a limit or cpuset is exhausted)";
            case Errno.EINVAL -> name.equals("cgroup.procs")
                    ? "the kernel refused to move process " + value + " (a kernel thread, or a process in a"
                    + " real-time scheduling class the cpu controller cannot take)"
                    : "invalid value '" + value + "' for " + name;
            case Errno.EOPNOTSUPP -> "not supported for this cgroup (threaded cgroup, or a controller that cannot"
                    + " be enabled here)";
            default -> Errno.describe(errno);
        };
        IOException e = errno == Errno.ENOENT
                ? new NoSuchFileException(null, null, doing + ": " + problem) // null file: the message says it all
                : new IOException(doing + ": " + problem);
        e.initCause(cause);
        return e;
    }
}
