package io.hotvirt.checkpoint.restore;

import io.hotvirt.checkpoint.tree.Credentials;
import io.hotvirt.linux.jna.Syscall;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * Opens restore makes on the workload's behalf (its fds, its file mappings) are permission-checked
 * as the workload: every restoring process is root until {@link Identity#credentials}, and a path
 * the workload's owner controls (a symlink put where their log was) must not open a file they could
 * not. So the open runs with the saved groups, fsgid and fsuid; an fsuid other than 0 also takes the
 * filesystem capabilities (CAP_DAC_OVERRIDE …) out of the effective set, and fsuid 0 again puts them
 * back from the permitted set. Only the calling (main) thread is switched: fs ids are per thread.
 */
final class FsIdentity {

    /** An open (or a few syscalls around one) run inside the process. */
    interface IoCall<T> {
        T call() throws IOException;
    }

    private FsIdentity() {
    }

    /**
     * Runs {@code open} in {@code p} as {@code c}'s file-system identity (null or root: as it is). The
     * switch uses {@code p}'s scratch area first: {@code open} writes its arguments there itself.
     */
    static <T> T as(RestoringProcess p, Credentials c, IoCall<T> open) throws IOException {
        if (c == null || (c.fsuid() == 0 && c.fsgid() == 0)) {
            return open.call();
        }
        T result;
        try {
            enter(p, c);
            result = open.call();
        } catch (IOException | RuntimeException e) {
            try {
                leave(p);
            } catch (IOException x) {
                e.addSuppressed(x);
            }
            throw e;
        }
        leave(p);
        return result;
    }

    private static void enter(RestoringProcess p, Credentials c) throws IOException {
        if (c.groups().size() * 4 > RestoringProcess.SCRATCH_BYTES) {
            throw new IOException("process " + p.pid() + " has too many supplementary groups");
        }
        ByteBuffer g = ByteBuffer.allocate(Math.max(4, c.groups().size() * 4)).order(ByteOrder.LITTLE_ENDIAN);
        c.groups().forEach(g::putInt);
        p.write(p.scratch(), g.array());
        p.call("setgroups", Syscall.SETGROUPS, c.groups().size(), p.scratch());
        // setfs[ug]id return the old id and never fail: the second call reads back what the first set
        set(p, "setfsgid", Syscall.SETFSGID, c.fsgid());
        set(p, "setfsuid", Syscall.SETFSUID, c.fsuid());
    }

    /** Back to root's fs ids and capabilities (groups stay until {@link Identity#credentials} sets them). */
    private static void leave(RestoringProcess p) throws IOException {
        set(p, "setfsuid", Syscall.SETFSUID, 0);
        set(p, "setfsgid", Syscall.SETFSGID, 0);
    }

    private static void set(RestoringProcess p, String name, long number, int id) throws IOException {
        p.call(name, number, id);
        long now = p.call(name, number, id);
        if ((int) now != id) {
            throw new IOException(name + "(" + Integer.toUnsignedString(id) + ") in process " + p.pid()
                    + " left it at " + now);
        }
    }
}
