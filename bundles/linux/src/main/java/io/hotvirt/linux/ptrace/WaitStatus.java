package io.hotvirt.linux.ptrace;

import io.hotvirt.linux.jna.LibC;

import static io.hotvirt.linux.process.Signals.SIGTRAP;

/** Decodes a waitpid(2) status, including the ptrace event in bits 16..23 (sys/wait.h macros). */
public final class WaitStatus {

    /** The stop signal of a syscall stop: SIGTRAP | 0x80, as every tracee is seized with PTRACE_O_TRACESYSGOOD. */
    public static final int SYSCALL_STOP = SIGTRAP | 0x80;

    private WaitStatus() {
    }

    public static boolean exited(int status) {
        return (status & 0x7f) == 0;
    }

    public static int exitCode(int status) {
        return (status >> 8) & 0xff;
    }

    public static boolean signaled(int status) {
        return ((byte) ((status & 0x7f) + 1) >> 1) > 0;
    }

    public static int termSignal(int status) {
        return status & 0x7f;
    }

    public static boolean stopped(int status) {
        return (status & 0xff) == 0x7f;
    }

    public static int stopSignal(int status) {
        return (status >> 8) & 0xff;
    }

    /** The PTRACE_EVENT_* of a ptrace event stop, 0 for other stops. */
    public static int event(int status) {
        return (status >> 16) & 0xff;
    }

    /**
     * A stop caused by PTRACE_INTERRUPT or a group-stop of a seized tracee (PTRACE_EVENT_STOP):
     * nothing pending, the tracee can simply be resumed or detached.
     */
    public static boolean eventStop(int status) {
        return stopped(status) && event(status) == LibC.PTRACE_EVENT_STOP;
    }

    /**
     * A signal-delivery stop: the tracee is about to receive {@link #stopSignal}; resuming with 0
     * would suppress the signal, so it must be passed on to PTRACE_CONT or PTRACE_DETACH.
     */
    public static boolean signalDeliveryStop(int status) {
        return stopped(status) && event(status) == 0 && stopSignal(status) != SYSCALL_STOP;
    }

    public static String describe(int status) {
        if (exited(status)) {
            return "exited with " + exitCode(status);
        }
        if (signaled(status)) {
            return "killed by signal " + termSignal(status);
        }
        if (stopped(status)) {
            return "stopped by signal " + stopSignal(status) + (event(status) != 0 ? ", event " + event(status) : "");
        }
        return "status 0x" + Integer.toHexString(status);
    }
}
