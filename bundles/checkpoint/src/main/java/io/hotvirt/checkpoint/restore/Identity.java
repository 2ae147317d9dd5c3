package io.hotvirt.checkpoint.restore;

import io.hotvirt.checkpoint.tree.AuxEntry;
import io.hotvirt.checkpoint.tree.Credentials;
import io.hotvirt.checkpoint.tree.MmFields;
import io.hotvirt.checkpoint.tree.Privileges;
import io.hotvirt.checkpoint.tree.ProcessRecord;
import io.hotvirt.checkpoint.tree.Rlimit;
import io.hotvirt.checkpoint.tree.TreeReader;
import io.hotvirt.linux.jna.LibC;
import io.hotvirt.linux.jna.Syscall;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.List;

import static io.hotvirt.linux.jna.LibC.PR_CAPBSET_DROP;
import static io.hotvirt.linux.jna.LibC.PR_CAP_AMBIENT;
import static io.hotvirt.linux.jna.LibC.PR_CAP_AMBIENT_RAISE;
import static io.hotvirt.linux.jna.LibC.PR_GET_DUMPABLE;
import static io.hotvirt.linux.jna.LibC.PR_SET_DUMPABLE;
import static io.hotvirt.linux.jna.LibC.PR_SET_KEEPCAPS;
import static io.hotvirt.linux.jna.LibC.PR_SET_MM;
import static io.hotvirt.linux.jna.LibC.PR_SET_MM_MAP;
import static io.hotvirt.linux.jna.LibC.PR_SET_NAME;
import static io.hotvirt.linux.jna.LibC.PR_SET_NO_NEW_PRIVS;

/**
 * Who a restored process is, beyond its memory: the mm fields (PR_SET_MM_MAP: code, data, brk,
 * stack, arguments, environment, auxv, exe), cwd and root, umask, resource limits, session and
 * process group, and — last, since it may drop the privileges restore needs — its credentials.
 */
final class Identity {

    private static final int MM_MAP_SIZE = 104;

    private Identity() {
    }

    /** PR_SET_MM_MAP; the exe link points at the saved executable when it is still there. */
    static void mm(RestoringProcess p, ProcessRecord tree) throws IOException {
        long exeFd = -1;
        String exe = tree.exe();
        if (exe != null && exe.startsWith("/") && !exe.endsWith(" (deleted)")) {
            // as the workload, like its mappings: a path it controls must not make a root-only file its
            // exe link; no readable exe loses nothing, its text areas would not reopen either
            long fd = FsIdentity.as(p, tree.credentials(), () -> p.callRaw("openat", Syscall.OPENAT,
                    LibC.AT_FDCWD, p.writeString(0, exe), LibC.O_RDONLY | LibC.O_CLOEXEC, 0));
            exeFd = fd >= 0 ? fd : -1;
        }
        try {
            setMm(p, tree.mm(), exeFd);
        } catch (IOException e) {
            throw new IOException("restoring the mm fields (brk, stack, arguments, auxv) of process " + tree.pid()
                    + ": " + e.getMessage(), e);
        } finally {
            if (exeFd >= 0) {
                p.call("close", Syscall.CLOSE, exeFd);
            }
        }
    }

    /**
     * Gives {@code p} the command line {@code args} (NUL-separated, NUL-terminated), written at
     * {@code at}, memory {@code p} keeps; every other mm field stays as it is.
     */
    static void commandLine(RestoringProcess p, long at, byte[] args) throws IOException {
        MmFields now = TreeReader.read(p.pid()).mm();
        p.write(at, args);
        setMm(p, now.withArguments(at, at + args.length), -1);
    }

    /** prctl(PR_SET_MM_MAP) with {@code mm}; {@code exeFd} -1 keeps the exe link. */
    private static void setMm(RestoringProcess p, MmFields mm, long exeFd) throws IOException {
        List<AuxEntry> auxv = mm.auxv();
        ByteBuffer b = ByteBuffer.allocate(MM_MAP_SIZE + (auxv.size() + 1) * 16).order(ByteOrder.LITTLE_ENDIAN);
        long auxvAt = p.scratch() + 2048;
        b.putLong(mm.startCode()).putLong(mm.endCode()).putLong(mm.startData()).putLong(mm.endData())
                .putLong(mm.startBrk()).putLong(mm.brk()).putLong(mm.startStack()).putLong(mm.argStart())
                .putLong(mm.argEnd()).putLong(mm.envStart()).putLong(mm.envEnd()).putLong(auxvAt)
                .putInt((auxv.size() + 1) * 16);
        b.putInt((int) exeFd);
        for (AuxEntry e : auxv) {
            b.putLong(e.type()).putLong(e.value());
        }
        b.putLong(AuxEntry.AT_NULL).putLong(0);
        byte[] all = b.array();
        byte[] map = java.util.Arrays.copyOf(all, MM_MAP_SIZE);
        byte[] aux = java.util.Arrays.copyOfRange(all, MM_MAP_SIZE, all.length);
        if (aux.length > 2048) {
            throw new IOException("the auxv has " + auxv.size() + " entries: too many");
        }
        p.write(p.scratch() + 1024, map);
        p.write(auxvAt, aux);
        p.call("prctl(PR_SET_MM_MAP)", Syscall.PRCTL, PR_SET_MM, PR_SET_MM_MAP, p.scratch() + 1024, MM_MAP_SIZE, 0);
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

    /**
     * Groups, gids, uids (and with them the fs ids), then the privileges the process had kept:
     * bounding set, capabilities, ambient set, no_new_privs. Last, because they may drop root; and in
     * every thread, because the kernel keeps credentials per thread (glibc's setuid() broadcasts to
     * all threads itself: the raw syscalls do not).
     */
    static void credentials(RestoringProcess p, ProcessRecord tree) throws IOException {
        Credentials c = tree.credentials();
        if (c.groups().size() * 4 > RestoringProcess.SCRATCH_BYTES) {
            throw new IOException("process " + tree.pid() + " has too many supplementary groups");
        }
        ByteBuffer g = ByteBuffer.allocate(Math.max(4, c.groups().size() * 4)).order(ByteOrder.LITTLE_ENDIAN);
        c.groups().forEach(g::putInt);
        p.write(p.scratch(), g.array());
        Privileges kept = tree.privileges();
        for (int tid : p.tids()) {
            if (kept != null) {
                dropFromBoundingSet(p, tid, kept.bounding());
                p.call(tid, "prctl(PR_SET_KEEPCAPS)", Syscall.PRCTL, PR_SET_KEEPCAPS, 1, 0, 0, 0);
            }
            p.call(tid, "setgroups", Syscall.SETGROUPS, c.groups().size(), p.scratch());
            p.call(tid, "setresgid", Syscall.SETRESGID, c.gid(), c.egid(), c.sgid());
            p.call(tid, "setresuid", Syscall.SETRESUID, c.uid(), c.euid(), c.suid());
            p.call(tid, "setfsgid", Syscall.SETFSGID, c.fsgid()); // returns the old id, never an error
            p.call(tid, "setfsuid", Syscall.SETFSUID, c.fsuid());
            if (kept != null) {
                capabilities(p, tid, kept);
            }
        }
        dumpable(p, kept);
    }

    /**
     * Changing uids made the process non-dumpable (the kernel does so on any change of credentials):
     * set it back as it was, so that its user can again read its /proc files, attach a debugger, get
     * its core. 2 (root only) cannot be set by prctl; 0 is the nearest that gives the user nothing more.
     */
    private static void dumpable(RestoringProcess p, Privileges kept) throws IOException {
        if (kept == null || kept.dumpable() == null) {
            return;
        }
        int value = kept.dumpable() == 1 ? 1 : 0;
        if (p.call("prctl(PR_GET_DUMPABLE)", Syscall.PRCTL, PR_GET_DUMPABLE, 0, 0, 0, 0) != kept.dumpable()) {
            p.call("prctl(PR_SET_DUMPABLE, " + value + ")", Syscall.PRCTL, PR_SET_DUMPABLE, value, 0, 0, 0);
        }
    }

    private static void dropFromBoundingSet(RestoringProcess p, int tid, long bounding) throws IOException {
        for (int cap = 0; cap <= lastCapability(); cap++) {
            if ((bounding & (1L << cap)) == 0) {
                p.call(tid, "prctl(PR_CAPBSET_DROP, " + cap + ")", Syscall.PRCTL, PR_CAPBSET_DROP, cap, 0, 0, 0);
            }
        }
    }

    /** capset to the saved sets (KEEPCAPS kept them permitted across setresuid), then ambient and no_new_privs. */
    private static void capabilities(RestoringProcess p, int tid, Privileges kept) throws IOException {
        ByteBuffer b = ByteBuffer.allocate(32).order(ByteOrder.LITTLE_ENDIAN);
        b.putInt(CAP_VERSION_3).putInt(0); // header: version, pid 0 = the calling thread
        b.putInt((int) kept.effective()).putInt((int) kept.permitted()).putInt((int) kept.inheritable());
        b.putInt((int) (kept.effective() >>> 32)).putInt((int) (kept.permitted() >>> 32))
                .putInt((int) (kept.inheritable() >>> 32));
        long at = p.scratch() + RestoringProcess.SCRATCH_BYTES - 64; // clear of the groups written at the start
        p.write(at, b.array());
        try {
            p.call(tid, "capset", Syscall.CAPSET, at, at + 8);
        } catch (IOException e) {
            throw new IOException("restoring the capabilities of process " + p.inner(p.pid()) + " (permitted 0x"
                    + Long.toHexString(kept.permitted()) + "): " + e.getMessage(), e);
        }
        p.call(tid, "prctl(PR_SET_KEEPCAPS, 0)", Syscall.PRCTL, PR_SET_KEEPCAPS, 0, 0, 0, 0);
        for (int cap = 0; cap <= lastCapability(); cap++) {
            if ((kept.ambient() & (1L << cap)) != 0) {
                p.call(tid, "prctl(PR_CAP_AMBIENT_RAISE, " + cap + ")", Syscall.PRCTL, PR_CAP_AMBIENT,
                        PR_CAP_AMBIENT_RAISE, cap, 0, 0);
            }
        }
        if (kept.noNewPrivs()) {
            p.call(tid, "prctl(PR_SET_NO_NEW_PRIVS)", Syscall.PRCTL, PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0);
        }
    }

    private static int lastCapability() throws IOException {
        return Integer.parseInt(io.hotvirt.linux.proc.Procfs.sysctl("kernel/cap_last_cap"));
    }

    private static final int CAP_VERSION_3 = 0x20080522;

    private static long path(RestoringProcess p, String path, String what) throws IOException {
        if (path == null || !path.startsWith("/") || path.endsWith(" (deleted)")) {
            throw new IOException(what + " " + path + " is not a directory restore can enter (deleted or unknown)");
        }
        return p.writeString(0, path);
    }
}
