package io.hotvirt.linux.ptrace;

import com.sun.jna.LastErrorException;
import com.sun.jna.Memory;
import io.hotvirt.linux.jna.Errno;
import io.hotvirt.linux.jna.LibC;
import io.hotvirt.linux.jna.Syscall;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Collectors;

import static io.hotvirt.linux.process.Signals.SIGSTOP;

/**
 * Runs syscalls inside a tracee, as if the tracee had made them: the tracee (a thread of process
 * {@code pid}, in a ptrace-stop under {@code tracer}) has its registers saved, its {@code rip}
 * pointed at a {@code syscall} instruction and the syscall's number and arguments loaded; it is
 * resumed with PTRACE_SYSCALL to its syscall-exit stop, {@code rax} holds the result, and the saved
 * registers go back exactly as they were.
 *
 * <p>Safe against the death of hotvirt at any moment: the {@code syscall} instruction is an
 * {@link InjectionSite}, whose tail puts the thread back as it was should it run on without its
 * tracer, and nothing single-steps or sets a breakpoint, so no trap is ever left pending. (An
 * injector given a fixed gadget is for restore's own processes, which die with their tracer.)
 *
 * <p>A thread stopped inside an interrupted syscall (rax = -ERESTART*, orig_rax = its number):
 * the injected syscall runs with orig_rax = -1 so the kernel does not apply restart logic to it,
 * and the exact saved registers are restored afterwards, so the interrupted syscall is restarted
 * (or returns EINTR) just as it would have without the injection.
 *
 * <p>A signal that stops the thread before the syscall (one pending when the thread returns to
 * user mode: a timer's, say, or a synchronous one, which the kernel hands out even when blocked)
 * is given back to the kernel while the thread blocks it, so that the kernel queues it again with
 * its siginfo (a timer's si_value, a sender's pid): one the thread did not block is blocked for the
 * rest of the call, the thread's mask restored afterwards (by the site's tail, too, if hotvirt dies
 * meanwhile). SIGSTOP, which cannot be blocked, is re-sent with tgkill once the call is done.
 *
 * <p>Not thread-safe; use one injector per process from one caller at a time.
 */
public final class SyscallInjector {

    private static final long STOP_TIMEOUT_MILLIS = 5_000;
    private static final int SYSCALL_INFO_ENTRY = 1;
    private static final int SYSCALL_INFO_EXIT = 2;

    private final Tracer tracer;
    private final int pid;
    private final long fixedGadget; // 0: none, use the process's injection site
    private InjectionSite site;

    public SyscallInjector(Tracer tracer, int pid) {
        this(tracer, pid, 0);
    }

    /**
     * An injector that always runs its syscalls at {@code gadget}: the address of a {@code syscall}
     * instruction the caller placed in the process. Only for processes that die with their tracer
     * (restore's, seized with PTRACE_O_EXITKILL): nothing leads a thread back from the gadget.
     */
    public SyscallInjector(Tracer tracer, int pid, long gadget) {
        this.tracer = tracer;
        this.pid = pid;
        this.fixedGadget = gadget;
    }

    public int pid() {
        return pid;
    }

    /**
     * Runs syscall {@code number} in thread {@code tid} and returns its result.
     *
     * @param name for error messages, e.g. {@code "rt_sigaction"}
     * @throws IOException if the syscall returns -errno (the message names the syscall, thread and
     *                     errno), or if the thread cannot run it (exited, not stopped)
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
        long at = fixedGadget;
        if (at == 0) {
            if (site == null) {
                site = InjectionSite.find(pid);
            }
            site.prepare(saved, SignalMask.get(tracer, tid));
            at = site.address();
        }
        List<Integer> deferred = new ArrayList<>();
        Long[] mask = {null};
        try {
            tracer.setRegisters(tid, saved.forSyscall(number, args).withRip(at).withOrigRax(-1));
            return run(tid, name, at, deferred, mask).rax();
        } finally {
            try {
                if (mask[0] != null) {
                    SignalMask.set(tracer, tid, mask[0]); // what it blocked unblocked again: still pending
                }
            } finally {
                tracer.setRegisters(tid, saved); // until here the site's tail would lead it back
                if (site != null) {
                    site.close(); // its own bytes back, before anything (a memory dump) reads them
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

    /**
     * Resumes the thread with PTRACE_SYSCALL until the syscall-exit stop of the syscall at
     * {@code at}, handing signals that stop it first back to the kernel.
     *
     * @param mask set to the thread's own mask if a signal had to be blocked during the call
     */
    private Registers run(int tid, String name, long at, List<Integer> deferred, Long[] mask) throws IOException {
        int resumeWith = 0;
        for (int attempt = 0; attempt < 32; attempt++) {
            tracer.resumeToSyscall(tid, resumeWith);
            resumeWith = 0;
            int status = tracer.waitStop(tid, STOP_TIMEOUT_MILLIS);
            if (!WaitStatus.stopped(status)) {
                throw new IOException("thread " + tid + " of process " + pid + " " + WaitStatus.describe(status)
                        + " while running injected " + name);
            }
            if (WaitStatus.event(status) != 0) {
                continue; // an event stop (group-stop, a late PTRACE_INTERRUPT, a clone's event): go on
            }
            int stopSig = WaitStatus.stopSignal(status);
            if (stopSig == WaitStatus.SYSCALL_STOP) {
                int op = syscallStop(tid);
                if (op == SYSCALL_INFO_ENTRY) {
                    continue;
                }
                if (op == SYSCALL_INFO_EXIT) {
                    Registers after = tracer.getRegisters(tid);
                    if (after.rip() != at + 2) {
                        throw new IOException("injected " + name + " in thread " + tid + " of process " + pid
                                + ": the syscall-exit stop is at rip 0x" + Long.toHexString(after.rip())
                                + ", not after the syscall instruction at 0x" + Long.toHexString(at));
                    }
                    return after;
                }
                throw new IOException("injected " + name + " in thread " + tid + " of process " + pid
                        + ": a syscall stop that is neither entry nor exit (op " + op + ")");
            }
            if (stopSig == SIGSTOP) {
                deferred.add(stopSig); // cannot be blocked, so not requeued that way: sent again afterwards
                continue;
            }
            // Resuming with a signal the thread blocks makes the kernel queue it again, siginfo
            // intact (ptrace_signal requeues a blocked signal). A blocked one is a pending
            // synchronous signal (si_code > 0: SIGSEGV, SIGBUS …), which the kernel dequeues even
            // when blocked; any other is blocked until the call is done
            long blocked = SignalMask.get(tracer, tid);
            long bit = 1L << (stopSig - 1);
            if ((blocked & bit) == 0) {
                if (mask[0] == null) {
                    mask[0] = blocked;
                }
                SignalMask.set(tracer, tid, blocked | bit);
            }
            resumeWith = stopSig;
        }
        throw new IOException("injected " + name + " in thread " + tid + " of process " + pid
                + ": the thread kept stopping for signals instead of running it (signals " + deferred + ")");
    }

    /** PTRACE_GET_SYSCALL_INFO's op: 1 at a syscall-entry stop, 2 at a syscall-exit stop, 0 otherwise. */
    private int syscallStop(int tid) throws IOException {
        return tracer.execute(() -> {
            Memory info = new Memory(96);
            info.clear();
            TracerAccess.ptrace(LibC.PTRACE_GET_SYSCALL_INFO, tid, info.size(), info, "PTRACE_GET_SYSCALL_INFO");
            return info.getByte(0) & 0xff;
        });
    }

    /** Gives a signal that arrived during the injection back to the thread. */
    private void requeue(int tid, int sig) {
        try {
            LibC.INSTANCE.syscall(Syscall.TGKILL, pid, tid, sig);
        } catch (LastErrorException ignored) {
            // the thread is gone
        }
    }
}
