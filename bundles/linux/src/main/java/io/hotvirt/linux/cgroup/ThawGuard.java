package io.hotvirt.linux.cgroup;

import com.sun.jna.LastErrorException;
import com.sun.jna.Memory;
import com.sun.jna.ptr.IntByReference;
import io.hotvirt.linux.jna.Errno;
import io.hotvirt.linux.jna.LibC;
import io.hotvirt.linux.jna.Syscall;
import io.hotvirt.linux.process.Signals;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

/**
 * A small process that thaws a cgroup if hotvirt dies while the cgroup is frozen: nothing in a
 * dead JVM can thaw it, and a frozen workload would stay stopped for good. The guard is
 * {@code sh} reading its stdin, a pipe whose only write end hotvirt holds (O_CLOEXEC, so no other
 * child inherits it): {@link #close()} writes "ok" and the guard leaves without a word, while the
 * end-of-file that the kernel delivers when hotvirt's process dies — {@code kill -9} included —
 * makes it write the thaw value into the freezer file itself. It runs in its own session, outside
 * the frozen cgroup, so neither a terminal's hang-up nor the freeze reaches it.
 */
final class ThawGuard implements AutoCloseable {

    private static final String SCRIPT = "read -r x; [ \"$x\" = ok ] || printf %s \"$2\" > \"$1\"";
    /**
     * SIGHUP, SIGINT and SIGTERM blocked from its first instruction (a service manager stopping
     * hotvirt's cgroup, a terminal's Ctrl-C): only its pipe ends it.
     */
    private static final long DEAF_TO = (1L << (Signals.SIGHUP - 1)) | (1L << (Signals.SIGINT - 1))
            | (1L << (Signals.SIGTERM - 1));

    private final int pid;
    private int writeEnd;

    private ThawGuard(int pid, int writeEnd) {
        this.pid = pid;
        this.writeEnd = writeEnd;
    }

    /** Starts a guard that writes {@code thawValue} into {@code freezerFile} should this process die. */
    static ThawGuard arm(Path freezerFile, String thawValue) throws IOException {
        LibC c = LibC.INSTANCE;
        Memory fds = new Memory(8);
        try {
            c.syscall(Syscall.PIPE2, com.sun.jna.Pointer.nativeValue(fds), LibC.O_CLOEXEC);
        } catch (LastErrorException e) {
            throw new IOException("cannot start the thaw guard for " + freezerFile + ": pipe2: "
                    + Errno.describe(e.getErrorCode()), e);
        }
        int readEnd = fds.getInt(0);
        int writeEnd = fds.getInt(4);
        Memory actions = new Memory(LibC.POSIX_SPAWN_FILE_ACTIONS_SIZE);
        Memory attr = new Memory(LibC.POSIX_SPAWNATTR_SIZE);
        Memory mask = new Memory(LibC.SIGSET_SIZE);
        boolean started = false;
        try {
            c.posix_spawn_file_actions_init(actions);
            c.posix_spawnattr_init(attr);
            try {
                check("adddup2", c.posix_spawn_file_actions_adddup2(actions, readEnd, 0));
                check("addopen", c.posix_spawn_file_actions_addopen(actions, 1, "/dev/null", LibC.O_WRONLY, 0));
                check("adddup2", c.posix_spawn_file_actions_adddup2(actions, 1, 2));
                try {
                    check("addclosefrom", c.posix_spawn_file_actions_addclosefrom_np(actions, 3));
                } catch (UnsatisfiedLinkError e) {
                    // glibc older than 2.34: the JVM's other fds leak into the guard, harmlessly
                }
                c.sigemptyset(mask);
                mask.setLong(0, DEAF_TO);
                check("setsigmask", c.posix_spawnattr_setsigmask(attr, mask));
                check("setflags", c.posix_spawnattr_setflags(attr,
                        (short) (LibC.POSIX_SPAWN_SETSID | LibC.POSIX_SPAWN_SETSIGMASK)));
                IntByReference pid = new IntByReference();
                String[] argv = {"sh", "-c", SCRIPT, "hotvirt-thaw-guard", freezerFile.toString(), thawValue};
                int err = c.posix_spawn(pid, "/bin/sh", actions, attr, argv, new String[] {"PATH=/usr/bin:/bin"});
                check("posix_spawn(/bin/sh)", err);
                started = true;
                return new ThawGuard(pid.getValue(), writeEnd);
            } finally {
                c.posix_spawnattr_destroy(attr);
                c.posix_spawn_file_actions_destroy(actions);
            }
        } catch (IOException e) {
            throw new IOException("cannot start the thaw guard for " + freezerFile + ": " + e.getMessage(), e);
        } finally {
            c.close(readEnd);
            if (!started) {
                c.close(writeEnd);
            }
        }
    }

    /** Tells the guard the cgroup is thawed (or never froze) and reaps it. Idempotent. */
    @Override
    public void close() {
        if (writeEnd < 0) {
            return;
        }
        LibC c = LibC.INSTANCE;
        try {
            byte[] ok = "ok\n".getBytes(StandardCharsets.US_ASCII);
            c.write(writeEnd, ok, ok.length);
        } catch (LastErrorException e) {
            // the guard is gone already (killed by someone): nothing left to tell it
        } finally {
            c.close(writeEnd);
            writeEnd = -1;
        }
        while (true) {
            try {
                c.waitpid(pid, new IntByReference(), 0); // it leaves at once
                return;
            } catch (LastErrorException e) {
                if (e.getErrorCode() != Errno.EINTR) {
                    return; // ECHILD: reaped elsewhere
                }
            }
        }
    }

    int pid() {
        return pid;
    }

    /** Tests: closes the pipe without a word, as the kernel does when this process dies. */
    void abandon() {
        LibC.INSTANCE.close(writeEnd);
        writeEnd = -1;
    }

    private static void check(String what, int err) throws IOException {
        if (err != 0) {
            throw new IOException(what + ": " + Errno.describe(err));
        }
    }
}
