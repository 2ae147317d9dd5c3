package io.hotvirt.checkpoint.cpu;

import io.hotvirt.checkpoint.restore.Rseq;
import io.hotvirt.linux.jna.Syscall;
import io.hotvirt.linux.ptrace.ProcessMemory;
import io.hotvirt.linux.ptrace.SyscallInjector;
import io.hotvirt.linux.ptrace.Tracer;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;

import static io.hotvirt.linux.jna.LibC.PR_GET_TID_ADDRESS;

/**
 * What a thread registered with the kernel about its own memory (glibc does all three for every
 * thread): the clear_child_tid word (zeroed and futex-woken at exit: pthread_join waits on it),
 * the robust futex list (walked at exit: robust mutexes of a dead owner), the rseq area (kept
 * current by the kernel: sched_getcpu, per-CPU allocators). 0 where there is none.
 */
public record ThreadRegistrations(long clearChildTid, long robustListHead, long robustListLen,
                                  long rseqPointer, int rseqSize, int rseqSignature) {

    private static final int GET_ROBUST_LIST = 274;
    private static final int PAGE = 4096;

    /**
     * {@code cpus} of process {@code pid} (every thread in ptrace-stop) with their registrations,
     * read by injecting prctl(PR_GET_TID_ADDRESS) and get_robust_list(0) into each thread (their
     * results land in a scratch page mapped for the occasion) and PTRACE_GET_RSEQ_CONFIGURATION.
     * A thread stopped inside an rseq critical section is moved to its abort handler, as the kernel
     * would do when it next runs (preempted, migrated): restored, it must not commit blindly. The
     * live thread is moved too: returning from the injected syscalls, outside the section, the
     * kernel clears its rseq_cs, and nothing would abort the section once it runs on.
     */
    public static List<ThreadCpu> addTo(Tracer tracer, SyscallInjector injector, int pid, List<ThreadCpu> cpus)
            throws IOException {
        List<ThreadCpu> out = new ArrayList<>();
        List<Rseq> rseqs = new ArrayList<>();
        for (ThreadCpu cpu : cpus) { // before any injection: returning from one, the kernel clears rseq_cs
            Rseq r = Rseq.of(tracer, cpu.tid());
            rseqs.add(r);
            long rip = abortIp(pid, r.pointer(), cpu.registers().rip());
            if (rip == cpu.registers().rip()) {
                out.add(cpu);
            } else { // now, not after the injections: a thread hotvirt dies in the middle of one goes back there
                ThreadCpu moved = new ThreadCpu(cpu.tid(), cpu.registers().withRip(rip), cpu.xstateNote(),
                        cpu.xstateBase64());
                tracer.setRegisters(cpu.tid(), moved.registers());
                out.add(moved);
            }
        }
        int main = cpus.get(0).tid();
        long scratch = injector.mapScratch(main, PAGE);
        try {
            for (int i = 0; i < out.size(); i++) {
                int tid = out.get(i).tid();
                injector.call(tid, "prctl(PR_GET_TID_ADDRESS)", Syscall.PRCTL, PR_GET_TID_ADDRESS, scratch);
                injector.call(tid, "get_robust_list", GET_ROBUST_LIST, 0, scratch + 8, scratch + 16);
                ByteBuffer b = ByteBuffer.wrap(ProcessMemory.read(pid, scratch, 24)).order(ByteOrder.LITTLE_ENDIAN);
                Rseq r = rseqs.get(i);
                out.set(i, out.get(i).withRegistrations(new ThreadRegistrations(b.getLong(0), b.getLong(8),
                        b.getLong(16), r.pointer(), r.size(), r.signature())));
            }
        } finally {
            injector.unmap(main, scratch, PAGE);
        }
        return out;
    }

    /** struct rseq_cs {u32 version, flags; u64 start_ip, post_commit_offset, abort_ip} at the area's rseq_cs. */
    private static long abortIp(int pid, long area, long rip) throws IOException {
        if (area == 0) {
            return rip;
        }
        long cs = ByteBuffer.wrap(ProcessMemory.read(pid, area + 8, 8)).order(ByteOrder.LITTLE_ENDIAN).getLong();
        if (cs == 0) {
            return rip;
        }
        ByteBuffer d = ByteBuffer.wrap(ProcessMemory.read(pid, cs, 32)).order(ByteOrder.LITTLE_ENDIAN);
        return Long.compareUnsigned(rip - d.getLong(8), d.getLong(16)) < 0 ? d.getLong(24) : rip;
    }
}
