package io.hotvirt.checkpoint.restore;

import io.hotvirt.checkpoint.tree.AuxEntry;
import io.hotvirt.checkpoint.tree.Credentials;
import io.hotvirt.checkpoint.tree.MmFields;
import io.hotvirt.checkpoint.tree.ProcessRecord;
import io.hotvirt.checkpoint.tree.Rlimit;
import io.hotvirt.linux.jna.LibC;
import io.hotvirt.linux.jna.Syscall;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.List;

/**
 * Who a restored process is, beyond its memory: the mm fields (PR_SET_MM_MAP: code, data, brk,
 * stack, arguments, environment, auxv, exe), cwd and root, umask, resource limits, session and
 * process group, and — last, since it may drop the privileges restore needs — its credentials.
 */
final class Identity {

    private static final int PR_SET_NAME = 15;
    private static final int PR_SET_MM = 35;
    private static final int PR_SET_MM_MAP = 14;
    private static final int MM_MAP_SIZE = 104;

    private Identity() {
    }

    /** PR_SET_MM_MAP; the exe link points at the saved executable when it is still there. */
    static void mm(RestoringProcess p, ProcessRecord tree) throws IOException {
        MmFields mm = tree.mm();
        List<AuxEntry> auxv = mm.auxv();
        ByteBuffer b = ByteBuffer.allocate(MM_MAP_SIZE + (auxv.size() + 1) * 16).order(ByteOrder.LITTLE_ENDIAN);
        long auxvAt = p.scratch() + 2048;
        b.putLong(mm.startCode()).putLong(mm.endCode()).putLong(mm.startData()).putLong(mm.endData())
                .putLong(mm.startBrk()).putLong(mm.brk()).putLong(mm.startStack()).putLong(mm.argStart())
                .putLong(mm.argEnd()).putLong(mm.envStart()).putLong(mm.envEnd()).putLong(auxvAt)
                .putInt((auxv.size() + 1) * 16);
        long exeFd = -1;
        String exe = tree.exe();
        if (exe != null && exe.startsWith("/") && !exe.endsWith(" (deleted)")) {
            long fd = p.callRaw("openat", Syscall.OPENAT, MemoryRestorer.AT_FDCWD, p.writeString(0, exe),
                    LibC.O_RDONLY | LibC.O_CLOEXEC, 0);
            exeFd = fd >= 0 ? fd : -1;
        }
        b.putInt((int) exeFd);
        for (AuxEntry e : auxv) {
            b.putLong(e.type()).putLong(e.value());
        }
        b.putLong(AuxEntry.AT_NULL).putLong(0);
        byte[] all = b.array();
        byte[] map = java.util.Arrays.copyOf(all, MM_MAP_SIZE);
        byte[] aux = java.util.Arrays.copyOfRange(all, MM_MAP_SIZE, all.length);
        if (aux.length > 2048) {
            throw new IOException("auxv of process " + tree.pid() + " has " + auxv.size() + " entries: too many");
        }
        p.write(p.scratch() + 1024, map);
        p.write(auxvAt, aux);
        try {
            p.call("prctl(PR_SET_MM_MAP)", Syscall.PRCTL, PR_SET_MM, PR_SET_MM_MAP, p.scratch() + 1024, MM_MAP_SIZE, 0);
        } catch (IOException e) {
            throw new IOException("restoring the mm fields (brk, stack, arguments, auxv) of process " + tree.pid()
                    + ": " + e.getMessage(), e);
        } finally {
            if (exeFd >= 0) {
                p.call("close", Syscall.CLOSE, exeFd);
            }
        }
    }

    /** Name, working directory, root, umask and resource limits. */
    static void environment(RestoringProcess p, ProcessRecord tree) throws IOException {
        String what = "process " + tree.pid();
        if (tree.comm() != null) {
            p.call("prctl(PR_SET_NAME)", Syscall.PRCTL, PR_SET_NAME, p.writeString(0, tree.comm()), 0, 0, 0);
        }
        p.call("chdir " + tree.cwd(), Syscall.CHDIR, path(p, tree.cwd(), what + " cwd"));
        if (tree.root() != null && !tree.root().equals("/")) {
            p.call("chroot " + tree.root(), Syscall.CHROOT, path(p, tree.root(), what + " root"));
        }
        p.call("umask", Syscall.UMASK, tree.umask());
        for (Rlimit r : tree.rlimits()) {
            ByteBuffer b = ByteBuffer.allocate(16).order(ByteOrder.LITTLE_ENDIAN).putLong(r.soft()).putLong(r.hard());
            p.write(p.scratch(), b.array());
            try {
                p.call("prlimit64", Syscall.PRLIMIT64, 0, r.resource(), p.scratch(), 0);
            } catch (IOException e) {
                throw new IOException("restoring the limit '" + r.name() + "' of " + what + " (soft " + r.soft()
                        + ", hard " + r.hard() + "): " + e.getMessage() + " — a hard limit above this container's"
                        + " needs CAP_SYS_RESOURCE", e);
            }
        }
    }

    /**
     * Session and process group, right after the process is made (its children, made later, inherit
     * them): a session leader makes its session again, a group leader its group; another process joins
     * its group when that is not its parent's (its leader, made earlier, made it). Processes whose
     * session lies outside the image stay in the session they were created in.
     */
    static void session(RestoringProcess p, ProcessRecord tree, boolean groupExists, int parentGroup)
            throws IOException {
        if (tree.sid() == tree.pid()) {
            p.call("setsid", Syscall.SETSID);
        } else if (tree.pgid() == tree.pid()) {
            p.call("setpgid", Syscall.SETPGID, 0, 0);
        } else if (groupExists && tree.pgid() != parentGroup) {
            p.call("setpgid", Syscall.SETPGID, 0, tree.pgid());
        }
    }

    /** Groups, gids, uids (and with them the fs ids): last, because they may drop root. */
    static void credentials(RestoringProcess p, ProcessRecord tree) throws IOException {
        Credentials c = tree.credentials();
        ByteBuffer g = ByteBuffer.allocate(Math.max(4, c.groups().size() * 4)).order(ByteOrder.LITTLE_ENDIAN);
        c.groups().forEach(g::putInt);
        if (c.groups().size() * 4 > RestoringProcess.SCRATCH_BYTES) {
            throw new IOException("process " + tree.pid() + " has too many supplementary groups");
        }
        p.write(p.scratch(), g.array());
        p.call("setgroups", Syscall.SETGROUPS, c.groups().size(), p.scratch());
        p.call("setresgid", Syscall.SETRESGID, c.gid(), c.egid(), c.sgid());
        p.call("setresuid", Syscall.SETRESUID, c.uid(), c.euid(), c.suid());
        p.call("setfsgid", Syscall.SETFSGID, c.fsgid()); // returns the old id, never an error
        p.call("setfsuid", Syscall.SETFSUID, c.fsuid());
    }

    private static long path(RestoringProcess p, String path, String what) throws IOException {
        if (path == null || !path.startsWith("/") || path.endsWith(" (deleted)")) {
            throw new IOException(what + " " + path + " is not a directory restore can enter (deleted or unknown)");
        }
        return p.writeString(0, path);
    }
}
