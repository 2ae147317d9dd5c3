package io.hotvirt.checkpoint.restore;

import com.sun.jna.LastErrorException;
import com.sun.jna.ptr.IntByReference;
import io.hotvirt.linux.jna.Errno;
import io.hotvirt.linux.jna.LibC;
import io.hotvirt.linux.jna.Syscall;
import io.hotvirt.linux.proc.Procfs;
import io.hotvirt.linux.process.Signals;
import io.hotvirt.linux.ptrace.Tracer;
import io.hotvirt.linux.ptrace.WaitStatus;

import java.io.IOException;
import java.util.List;

/**
 * ptrace chores for tracees the {@link Tracer} did not attach itself: processes auto-attached
 * because their parent is traced with PTRACE_O_TRACEFORK (the Tracer's own detach and close only
 * know the tids it seized).
 */
final class Tracees {

    private static final long REAP_MILLIS = 5_000;

    private Tracees() {
    }

    /** PTRACE_DETACH of a tracee in a ptrace-stop; it runs on. */
    static void detach(Tracer tracer, int tid) throws IOException {
        tracer.execute(() -> {
            try {
                LibC.INSTANCE.syscall(Syscall.PTRACE, LibC.PTRACE_DETACH, tid, 0L, 0L);
            } catch (LastErrorException e) {
                throw new IOException("ptrace(PTRACE_DETACH, " + tid + "): " + Errno.describe(e.getErrorCode()), e);
            }
            return null;
        });
    }

    /**
     * SIGKILL, then waitpid(__WALL) on the tracer thread until the process's end is reported (to us
     * as its tracer, and as its parent when {@code ourChild}), so no zombie of ours remains. Best
     * effort, never throws.
     */
    static void killAndReap(Tracer tracer, int pid, boolean ourChild) {
        // its other threads are tracees too: until their ends are reaped, the leader's is never reported
        List<Integer> others = Procfs.tasks(pid).stream().filter(t -> t != pid).toList();
        try {
            LibC.INSTANCE.kill(pid, Signals.SIGKILL);
        } catch (LastErrorException e) {
            // gone already; it may still need reaping
        }
        try {
            tracer.execute(() -> {
                IntByReference status = new IntByReference();
                long deadline = System.currentTimeMillis() + REAP_MILLIS;
                while (System.currentTimeMillis() < deadline) {
                    for (int t : others) {
                        try {
                            LibC.INSTANCE.waitpid(t, status, LibC.WNOHANG | LibC.__WALL);
                        } catch (LastErrorException reaped) {
                            // ECHILD: reaped already
                        }
                    }
                    int got;
                    try {
                        got = LibC.INSTANCE.waitpid(pid, status, LibC.WNOHANG | LibC.__WALL);
                    } catch (LastErrorException e) {
                        return null; // ECHILD: neither our tracee nor our child (any more)
                    }
                    if (got == pid && !WaitStatus.stopped(status.getValue())) {
                        if (!ourChild) {
                            return null; // reported to us as tracer; its parent reaps it
                        }
                        if (!Husk.exists(pid)) {
                            return null;
                        }
                    }
                    if (got == 0 && !Husk.exists(pid)) {
                        return null;
                    }
                    Thread.sleep(1);
                }
                return null;
            });
        } catch (IOException e) {
            // tracer closed: its thread ended, so the kernel released (and, with EXITKILL, killed) its tracees
            IntByReference status = new IntByReference();
            try {
                LibC.INSTANCE.waitpid(pid, status, LibC.__WALL);
            } catch (LastErrorException ignored) {
                // not our child
            }
        }
    }
}
