package io.hotvirt.linux.ptrace;

import com.sun.jna.LastErrorException;
import com.sun.jna.Memory;
import io.hotvirt.linux.jna.Errno;
import io.hotvirt.linux.jna.LibC;
import io.hotvirt.linux.jna.Syscall;
import io.hotvirt.linux.proc.MemoryMapping;
import io.hotvirt.linux.proc.Procfs;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Collectors;

import static io.hotvirt.linux.process.Signals.SIGSTOP;
import static io.hotvirt.linux.process.Signals.SIGTRAP;

/**
 * Runs syscalls inside a tracee, as if the tracee had made them: the tracee (a thread of process
 * {@code pid}, in a ptrace-stop under {@code tracer}) has its registers saved, its {@code rip}
 * pointed at a {@code syscall} instruction and the syscall's number and arguments loaded; one
 * PTRACE_SINGLESTEP runs it, {@code rax} holds the result, and the saved registers go back
 * exactly as they were.
 *
 * <p>The {@code syscall} instruction used: the one just before {@code rip} when the thread is
 * stopped in a syscall (orig_rax ≥ 0 and the two bytes there are 0f 05); else one found in the
 * process's vDSO (its clock_gettime and friends fall back to real syscalls); else, as a last
 * resort, 0f 05 poked over the two bytes at {@code rip} for the duration of the call.
 *
 * <p>A thread stopped inside an interrupted syscall (rax = -ERESTART*, orig_rax = its number):
 * the injected syscall runs with orig_rax = -1 so the kernel does not apply restart logic to it,
 * and the exact saved registers are restored afterwards, so the interrupted syscall is restarted
 * (or returns EINTR) just as it would have without the injection.
 *
 * <p>A signal that stops the thread during the step (one pending when the step returns to user
 * mode: a timer's, say, or a synchronous one, which the kernel hands out even when blocked) is
 * given back to the kernel while the thread blocks it, so that the kernel queues it again with its
 * siginfo (a timer's si_value, a sender's pid): one the thread did not block is blocked for the
 * rest of the call, the thread's mask restored afterwards. SIGSTOP, which cannot be blocked, is
 * re-sent with tgkill once the call is done.
 *
 * <p>Not thread-safe; use one injector per process from one caller at a time. All threads of the
 * process should be stopped (the last-resort patch changes code other threads could run).
 */
public final class SyscallInjector {

    private static final long STEP_TIMEOUT_MILLIS = 5_000;

    private final Tracer tracer;
    private final int pid;
    private long vdsoGadget = -1; // 0: looked for, none (or not to be used); -1: not looked for yet
    private final long fixedGadget; // 0: none, find one

    public SyscallInjector(Tracer tracer, int pid) {
        this(tracer, pid, 0);
    }

    /**
     * An injector that always runs its syscalls at {@code gadget}: the address of a {@code syscall}
     * instruction the caller placed in the process (restore does, once it has unmapped everything
     * else the process had, the vDSO's code included in the search).
     */
    public SyscallInjector(Tracer tracer, int pid, long gadget) {
        this.tracer = tracer;
        this.pid = pid;
        this.fixedGadget = gadget;
    }

    /** Tests: never use the vDSO, so the last resort (patching the code at rip) runs. */
    SyscallInjector withoutVdso() {
        vdsoGadget = 0;
        return this;
    }

    public int pid() {
        return pid;
    }

    /**
     * Runs syscall {@code number} in thread {@code tid} and returns its result.
     *
     * @param name for error messages, e.g. {@code "rt_sigaction"}
     * @throws IOException if the syscall returns -errno (the message names the syscall, thread and
     *                     errno), or if the thread cannot be stepped (exited, not stopped)
     */
    public long call(int tid, String name, long number, long... args) throws IOException {
        long rax = callRaw(tid, name, number, args);
        if (rax < 0 && rax >= -4095) {
            int errno = (int) -rax;
            throw new IOException("injected " + name + "(" + Arrays.stream(args).mapToObj(a -> "0x" + Long.toHexString(a))
                    .collect(Collectors.joining(", ")) + ") in thread " + tid + " of process " + pid + ": "
                    + Errno.describe(errno));
        }
        return rax;
    }

    /** Like {@link #call} but returns the raw rax, a negative errno included. */
    public long callRaw(int tid, String name, long number, long... args) throws IOException {
        Registers saved = tracer.getRegisters(tid);
        long at = fixedGadget != 0 ? fixedGadget : syscallInThread(saved);
        byte[] patched = null;
        if (at == 0) {
            at = vdsoGadget();
        }
        if (at == 0) {
            at = saved.rip();
            patched = patch(tid, at);
        }
        List<Integer> deferred = new ArrayList<>();
        Long[] mask = {null};
        try {
            tracer.setRegisters(tid, saved.forSyscall(number, args).withRip(at).withOrigRax(-1));
            Registers after = step(tid, name, at, deferred, mask);
            return after.rax();
        } finally {
            try {
                if (patched != null) {
                    unpatch(tid, at, patched);
                }
            } finally {
                tracer.setRegisters(tid, saved);
                if (mask[0] != null) {
                    SignalMask.set(tracer, tid, mask[0]); // what it blocked unblocked again: still pending
                }
                for (int sig : deferred) {
                    requeue(tid, sig);
                }
            }
        }
    }

    /** mmap(NULL, size, PROT_READ|PROT_WRITE, MAP_PRIVATE|MAP_ANONYMOUS, -1, 0) in the tracee: a scratch area. */
    public long mapScratch(int tid, long size) throws IOException {
        return call(tid, "mmap", Syscall.MMAP, 0, size, LibC.PROT_READ | LibC.PROT_WRITE,
                LibC.MAP_PRIVATE | LibC.MAP_ANONYMOUS, -1, 0);
    }

    /** munmap(address, size) in the tracee. */
    public void unmap(int tid, long address, long size) throws IOException {
        call(tid, "munmap", Syscall.MUNMAP, address, size);
    }

    /** The address of a {@code syscall} instruction found in the vDSO, 0 if there is none. */
    public long vdsoGadget() throws IOException {
        if (vdsoGadget >= 0) {
            return vdsoGadget;
        }
        vdsoGadget = 0;
        for (MemoryMapping m : Procfs.maps(pid)) {
            if ("[vdso]".equals(m.path())) {
                byte[] code;
                try {
                    code = ProcessMemory.read(pid, m.start(), (int) m.size());
                } catch (IOException e) {
                    return 0; // unreadable vDSO: fall back to patching
                }
                for (int i = 0; i + 1 < code.length; i++) {
                    if (code[i] == 0x0f && code[i + 1] == 0x05) {
                        vdsoGadget = m.start() + i;
                        break;
                    }
                }
            }
        }
        return vdsoGadget;
    }

    /** rip-2 if the thread is stopped in a syscall entered with the 2-byte {@code syscall} instruction, else 0. */
    private long syscallInThread(Registers r) {
        if (r.origRax() < 0 || Long.compareUnsigned(r.rip(), 2) < 0) {
            return 0;
        }
        try {
            byte[] b = ProcessMemory.read(pid, r.rip() - 2, 2);
            return b[0] == 0x0f && b[1] == 0x05 ? r.rip() - 2 : 0;
        } catch (IOException e) {
            return 0;
        }
    }

    /** @param mask set to the thread's own mask if a signal had to be blocked during the call */
    private Registers step(int tid, String name, long at, List<Integer> deferred, Long[] mask) throws IOException {
        int resumeWith = 0;
        for (int attempt = 0; attempt < 16; attempt++) {
            if (resumeWith == 0) {
                tracer.singleStep(tid);
            } else {
                int sig = resumeWith;
                tracer.execute(() -> TracerAccess.ptrace(LibC.PTRACE_SINGLESTEP, tid, 0, sig, "PTRACE_SINGLESTEP"));
                resumeWith = 0;
            }
            int status = tracer.waitStop(tid, STEP_TIMEOUT_MILLIS);
            if (!WaitStatus.stopped(status)) {
                throw new IOException("thread " + tid + " of process " + pid + " " + WaitStatus.describe(status)
                        + " while running injected " + name);
            }
            if (WaitStatus.event(status) == 0 && WaitStatus.stopSignal(status) == SIGTRAP) {
                Registers after = tracer.getRegisters(tid);
                if (after.rip() != at + 2) {
                    throw new IOException("injected " + name + " in thread " + tid + " of process " + pid
                            + ": the single-step stopped at rip 0x" + Long.toHexString(after.rip()) + ", not after the"
                            + " syscall instruction at 0x" + Long.toHexString(at));
                }
                return after;
            }
            if (WaitStatus.event(status) == 0) {
                int sig = WaitStatus.stopSignal(status);
                if (sig == SIGSTOP) {
                    deferred.add(sig); // cannot be blocked, so not requeued that way: sent again afterwards
                } else {
                    // Resuming with a signal the thread blocks makes the kernel queue it again, siginfo
                    // intact (ptrace_signal requeues a blocked signal): the step's SIGTRAP is next. A
                    // blocked one is a pending synchronous signal (si_code > 0: SIGSEGV, SIGBUS …), which
                    // the kernel dequeues even when blocked; any other is blocked until the call is done
                    long blocked = SignalMask.get(tracer, tid);
                    long bit = 1L << (sig - 1);
                    if ((blocked & bit) == 0) {
                        if (mask[0] == null) {
                            mask[0] = blocked;
                        }
                        SignalMask.set(tracer, tid, blocked | bit);
                    }
                    resumeWith = sig;
                }
            }
            // an event stop (group-stop, a late PTRACE_INTERRUPT): step again
        }
        throw new IOException("injected " + name + " in thread " + tid + " of process " + pid
                + ": the thread kept stopping for signals instead of stepping (signals " + deferred + ")");
    }

    /** Gives a signal that arrived during the injection back to the thread. */
    private void requeue(int tid, int sig) {
        try {
            LibC.INSTANCE.syscall(Syscall.TGKILL, pid, tid, sig);
        } catch (LastErrorException ignored) {
            // the thread is gone
        }
    }

    // ---- last resort: write 0f 05 over the code at rip (PTRACE_POKEDATA ignores page protection)

    private byte[] patch(int tid, long address) throws IOException {
        long original = peek(tid, address);
        long patchedWord = (original & ~0xffffL) | 0x050fL;
        poke(tid, address, patchedWord);
        return longBytes(original);
    }

    private void unpatch(int tid, long address, byte[] original) throws IOException {
        long word = 0;
        for (int i = 7; i >= 0; i--) {
            word = (word << 8) | (original[i] & 0xff);
        }
        poke(tid, address, word);
    }

    private long peek(int tid, long address) throws IOException {
        return tracer.execute(() -> {
            Memory word = new Memory(8);
            TracerAccess.ptrace(LibC.PTRACE_PEEKDATA, tid, address, word, "PTRACE_PEEKDATA");
            return word.getLong(0);
        });
    }

    private void poke(int tid, long address, long value) throws IOException {
        tracer.execute(() -> TracerAccess.ptrace(LibC.PTRACE_POKEDATA, tid, address, value,
                "PTRACE_POKEDATA"));
    }

    private static byte[] longBytes(long v) {
        byte[] b = new byte[8];
        for (int i = 0; i < 8; i++) {
            b[i] = (byte) (v >>> (8 * i));
        }
        return b;
    }
}
