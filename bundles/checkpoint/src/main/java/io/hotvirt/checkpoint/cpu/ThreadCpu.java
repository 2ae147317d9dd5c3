package io.hotvirt.checkpoint.cpu;

import io.hotvirt.linux.ptrace.Registers;
import io.hotvirt.linux.ptrace.Tracer;
import io.hotvirt.linux.ptrace.XState;

import java.io.IOException;
import java.util.Base64;

/**
 * The CPU state of one thread, as saved in an image (JSON through Gson).
 *
 * @param tid        the thread
 * @param registers  user_regs_struct: general registers, rip, eflags, segment selectors, fs_base and gs_base
 * @param xstateNote the regset of {@code xstate}: 0x202 (NT_X86_XSTATE, XSAVE layout) or 2 (NT_PRFPREG, FXSAVE)
 * @param xstateBase64 the FPU/SSE/AVX area, base64
 * @param registrations what the thread registered with the kernel; null in images made before they were saved
 */
public record ThreadCpu(int tid, Registers registers, int xstateNote, String xstateBase64,
                        ThreadRegistrations registrations) {

    public ThreadCpu(int tid, Registers registers, int xstateNote, String xstateBase64) {
        this(tid, registers, xstateNote, xstateBase64, null);
    }

    public ThreadCpu withRegistrations(ThreadRegistrations r) {
        return new ThreadCpu(tid, registers, xstateNote, xstateBase64, r);
    }

    /** Reads the state of a thread in ptrace-stop. */
    public static ThreadCpu read(Tracer tracer, int tid) throws IOException {
        Registers regs = tracer.getRegisters(tid);
        XState x = XState.get(tracer, tid);
        return new ThreadCpu(tid, regs, x.note(), Base64.getEncoder().encodeToString(x.bytes()));
    }

    /** Writes the state back into a thread in ptrace-stop (registers last, so rip is the saved one). */
    public void write(Tracer tracer, int intoTid) throws IOException {
        XState.set(tracer, intoTid, xstate());
        tracer.setRegisters(intoTid, registers);
    }

    public long fsBase() {
        return registers.fsBase();
    }

    public long gsBase() {
        return registers.gsBase();
    }

    public XState xstate() {
        return new XState(xstateNote, xstateBytes());
    }

    public byte[] xstateBytes() {
        return Base64.getDecoder().decode(xstateBase64);
    }
}
