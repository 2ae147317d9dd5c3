package io.hotvirt.checkpoint.restore;

import io.hotvirt.linux.jna.Errno;
import io.hotvirt.linux.jna.Syscall;
import io.hotvirt.linux.proc.ProcStatus;
import io.hotvirt.linux.proc.Procfs;
import io.hotvirt.linux.ptrace.ProcessMemory;
import io.hotvirt.linux.ptrace.SyscallInjector;
import io.hotvirt.linux.ptrace.Tracer;
import io.hotvirt.linux.ptrace.WaitStatus;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static io.hotvirt.linux.jna.LibC.WNOHANG;
import static io.hotvirt.linux.process.Signals.SIGCHLD;

/**
 * Creates a process with a wanted PID: {@code clone3} with {@code set_tid} injected into a stopped
 * parent that is traced with PTRACE_O_TRACEFORK (a {@link Husk}, or a process cloned from one), so
 * the new process is a fork of the parent, starts traced by the same tracer, and is collected here
 * in its first ptrace-stop (PTRACE_EVENT_STOP, right after clone3 returned 0 in it).
 *
 * <p>The {@code struct clone_args} and the one-element PID array are written into a scratch area of
 * the parent (at least {@link #SCRATCH_BYTES}). Needs CAP_CHECKPOINT_RESTORE or CAP_SYS_ADMIN in the
 * PID namespace's user namespace — root has both.
 */
public final class PidCreator {

    /** Bytes of the parent's scratch area this uses. */
    public static final int SCRATCH_BYTES = 128;

    static final int CLONE_ARGS_SIZE_VER1 = 80; // up to and including set_tid_size
    public static final long CLONE_PARENT = 0x8000;
    public static final long CLONE_THREAD = 0x10000;
    public static final long CLONE_NEWPID = 0x20000000;
    /** A thread of the calling process, sharing everything a pthread shares. */
    public static final long THREAD_FLAGS = 0x100 | 0x200 | 0x400 | 0x800 | CLONE_THREAD | 0x40000;
    private static final int SET_TID_OFFSET = 96;
    private static final long START_TIMEOUT_MILLIS = 5_000;

    private final Tracer tracer;

    public PidCreator(Tracer tracer) {
        this.tracer = tracer;
    }

    /** Forks {@code parent} into a new process with PID {@code wantedPid}; see {@link #create(SyscallInjector, int, long, int, long)}. */
    public int create(SyscallInjector parent, int parentTid, long scratch, int wantedPid) throws IOException {
        return create(parent, parentTid, scratch, wantedPid, 0);
    }

    /**
     * Runs clone3 in {@code parent} (its thread {@code parentTid}, in a ptrace-stop) with {@code flags}
     * and, unless {@code wantedPid} is 0, PID {@code wantedPid} in the parent's PID namespace for
     * children; returns the new process or thread stopped and traced, by its PID in this (the
     * tracer's) namespace: its registers are the parent's at the syscall, with rax = 0.
     * With CLONE_PARENT or CLONE_THREAD the exit signal is left to the kernel (clone3 demands 0).
     *
     * @param scratch address of a writable scratch area of at least {@link #SCRATCH_BYTES} in the parent
     * @throws IOException {@code "PID N is taken ..."} when another process has it (EEXIST), with the
     *                     hint to restore into a fresh PID namespace; or naming the errno otherwise
     */
    public int create(SyscallInjector parent, int parentTid, long scratch, int wantedPid, long flags)
            throws IOException {
        if (wantedPid < 0 || wantedPid == 1) {
            throw new IllegalArgumentException("cannot create PID " + wantedPid);
        }
        boolean inherited = (flags & (CLONE_PARENT | CLONE_THREAD)) != 0;
        ByteBuffer b = ByteBuffer.allocate(SET_TID_OFFSET + 8).order(ByteOrder.LITTLE_ENDIAN);
        b.putLong(0, flags);
        b.putLong(8, 0);                                // pidfd
        b.putLong(16, 0);                               // child_tid
        b.putLong(24, 0);                               // parent_tid
        b.putLong(32, inherited ? 0 : SIGCHLD);         // exit_signal
        b.putLong(40, 0);                               // stack: the parent's (never run before its registers are set)
        b.putLong(48, 0);                               // stack_size
        b.putLong(56, 0);                               // tls
        b.putLong(64, wantedPid == 0 ? 0 : scratch + SET_TID_OFFSET); // set_tid
        b.putLong(72, wantedPid == 0 ? 0 : 1);          // set_tid_size: the innermost namespace only
        b.putInt(SET_TID_OFFSET, wantedPid);
        ProcessMemory.write(parent.pid(), scratch, b.array());

        String what = (flags & CLONE_THREAD) != 0 ? "thread" : "process";
        long rax = parent.callRaw(parentTid, "clone3", Syscall.CLONE3, scratch, CLONE_ARGS_SIZE_VER1);
        if (rax < 0 && rax >= -4095) {
            int errno = (int) -rax;
            String where = "clone3 with set_tid=" + wantedPid + " in process " + parent.pid();
            throw switch (errno) {
                case Errno.EEXIST -> new IOException("PID " + wantedPid + " is taken: " + holder(wantedPid)
                        + " has it in this PID namespace (" + where + "). Restore with --new-pidns to recreate the"
                        + " processes in a fresh PID namespace");
                case Errno.EPERM -> new IOException(where + ": " + Errno.describe(errno) + " — choosing a PID needs"
                        + " CAP_CHECKPOINT_RESTORE or CAP_SYS_ADMIN in the PID namespace's user namespace");
                case Errno.EINVAL -> new IOException(where + ": " + Errno.describe(errno) + " — PID " + wantedPid
                        + " is above kernel.pid_max or the PID namespace does not allow it");
                default -> new IOException(where + ": " + Errno.describe(errno));
            };
        }
        int made = (int) rax;
        int child = ownPid(parent.pid(), parentTid, made, flags);
        if (wantedPid != 0 && made != wantedPid) {
            Tracees.killAndReap(tracer, child, false);
            throw new IOException("clone3 with set_tid=" + wantedPid + " in process " + parent.pid()
                    + " created " + what + " " + made + " instead");
        }
        int status;
        try {
            status = tracer.waitStop(child, START_TIMEOUT_MILLIS);
        } catch (IOException e) {
            Tracees.killAndReap(tracer, child, false);
            throw new IOException(what + " " + child + " cloned from " + parent.pid() + " did not stop traced: "
                    + e.getMessage() + " (is the parent traced with PTRACE_O_TRACEFORK?)", e);
        }
        if (!WaitStatus.stopped(status)) {
            throw new IOException(what + " " + child + " cloned from " + parent.pid() + " "
                    + WaitStatus.describe(status) + " before its first stop");
        }
        return child;
    }

    /**
     * The PID in this namespace of what clone3 returned in {@code parent}: the same number when the
     * parent's children are in our PID namespace, else found through NSpid among the parent's
     * children (or, for a thread, its tasks).
     */
    static int ownPid(int parent, int parentTid, int made, long flags) throws IOException {
        Path ours = Path.of("/proc/self/ns/pid");
        Path theirs = Path.of("/proc", Integer.toString(parent), "ns", "pid_for_children");
        if ((flags & CLONE_PARENT) != 0 || Files.readSymbolicLink(ours).equals(Files.readSymbolicLink(theirs))) {
            return made;
        }
        List<Integer> candidates = (flags & CLONE_THREAD) != 0 ? Procfs.tasks(parent)
                : List.copyOf(Procfs.children(parent));
        for (int c : candidates) {
            int inner = (flags & CLONE_THREAD) != 0
                    ? Procfs.taskStatus(parent, c).map(PidCreator::innermost).orElse(-1)
                    : Procfs.status(c).map(PidCreator::innermost).orElse(-1);
            if (inner == made) {
                return c;
            }
        }
        throw new IOException("clone3 in process " + parent + " made PID " + made + " in its namespace, but no such"
                + " child is to be found in /proc");
    }

    private static String holder(int pid) {
        return Procfs.stat(pid).map(s -> "process '" + s.comm() + "' (state " + s.state() + ", parent " + s.ppid() + ")")
                .orElse("another process or thread");
    }

    private static int innermost(ProcStatus s) {
        return s.nsPids().isEmpty() ? -1 : s.nsPids().get(s.nsPids().size() - 1);
    }

    /**
     * Kills a process made by {@link #create} and has its parent (stopped, traced) reap it with an
     * injected wait4, so no zombie is left behind — not even one re-parented to an init that does
     * not reap. Best effort: the parent being gone or not stopped is no error (its own end reparents
     * the zombie).
     */
    public void destroy(SyscallInjector parent, int parentTid, int child) {
        destroy(parent, parentTid, child, child);
    }

    /**
     * {@link #destroy(SyscallInjector, int, int)} of a child the parent knows by another number:
     * {@code childInParent}, its PID in the parent's PID namespace (a fresh namespace's restore).
     */
    public void destroy(SyscallInjector parent, int parentTid, int child, int childInParent) {
        Tracees.killAndReap(tracer, child, false); // first reported to us, its tracer
        for (int attempt = 0; attempt < 500; attempt++) {
            long got;
            try {
                got = parent.callRaw(parentTid, "wait4", Syscall.WAIT4, childInParent, 0, WNOHANG | WALL, 0);
            } catch (IOException e) {
                return;
            }
            if (got != 0) {
                return; // reaped (the pid), or no such child any more (ECHILD)
            }
            try {
                Thread.sleep(1);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    private static final int WALL = 0x40000000;
}
