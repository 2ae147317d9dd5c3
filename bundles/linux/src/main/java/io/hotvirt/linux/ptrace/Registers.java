package io.hotvirt.linux.ptrace;

/**
 * x86-64 {@code struct user_regs_struct} (sys/user.h), the 27 general registers PTRACE_GETREGS and
 * PTRACE_SETREGS transfer, in the kernel's order.
 *
 * @param origRax the syscall number of a thread stopped in a syscall (-1 otherwise); setting it
 *                before resuming changes which syscall runs
 */
public record Registers(long r15, long r14, long r13, long r12, long rbp, long rbx, long r11, long r10, long r9,
                        long r8, long rax, long rcx, long rdx, long rsi, long rdi, long origRax, long rip, long cs,
                        long eflags, long rsp, long ss, long fsBase, long gsBase, long ds, long es, long fs, long gs) {

    /** Number of 8-byte registers in user_regs_struct. */
    public static final int COUNT = 27;
    /** sizeof(struct user_regs_struct). */
    public static final int SIZE = COUNT * 8;

    public static Registers of(long[] r) {
        if (r.length != COUNT) {
            throw new IllegalArgumentException("user_regs_struct has " + COUNT + " registers, not " + r.length);
        }
        return new Registers(r[0], r[1], r[2], r[3], r[4], r[5], r[6], r[7], r[8], r[9], r[10], r[11], r[12], r[13],
                r[14], r[15], r[16], r[17], r[18], r[19], r[20], r[21], r[22], r[23], r[24], r[25], r[26]);
    }

    public long[] toArray() {
        return new long[] {r15, r14, r13, r12, rbp, rbx, r11, r10, r9, r8, rax, rcx, rdx, rsi, rdi, origRax, rip, cs,
            eflags, rsp, ss, fsBase, gsBase, ds, es, fs, gs};
    }

    public Registers withRip(long v) {
        long[] r = toArray();
        r[16] = v;
        return of(r);
    }

    public Registers withRax(long v) {
        long[] r = toArray();
        r[10] = v;
        return of(r);
    }

    public Registers withOrigRax(long v) {
        long[] r = toArray();
        r[15] = v;
        return of(r);
    }

    public Registers withRsp(long v) {
        long[] r = toArray();
        r[19] = v;
        return of(r);
    }

    /**
     * The registers for a syscall per the x86-64 ABI: number in rax, arguments in rdi, rsi, rdx,
     * r10, r8, r9 (up to six; missing ones are left as they are).
     */
    public Registers forSyscall(long number, long... args) {
        if (args.length > 6) {
            throw new IllegalArgumentException("a syscall takes at most 6 arguments");
        }
        long[] r = toArray();
        r[10] = number;
        int[] slots = {14, 13, 12, 7, 9, 8}; // rdi, rsi, rdx, r10, r8, r9
        for (int i = 0; i < args.length; i++) {
            r[slots[i]] = args[i];
        }
        return of(r);
    }

    @Override
    public String toString() {
        return String.format("rip=%016x rsp=%016x rax=%016x orig_rax=%d rdi=%016x rsi=%016x rdx=%016x eflags=%x",
                rip, rsp, rax, origRax, rdi, rsi, rdx, eflags);
    }
}
