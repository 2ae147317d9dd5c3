package io.hotvirt.linux.ptrace;

import io.hotvirt.linux.jna.Syscall;
import io.hotvirt.linux.proc.MemoryMapping;
import io.hotvirt.linux.proc.Procfs;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;

/**
 * Where syscalls are injected into a live process so that the death of hotvirt at any moment of
 * an injection leaves the thread to find its own way back: a {@code syscall} instruction followed
 * by code that puts back everything the injection changed and jumps to where the thread was.
 *
 * <p>A tracer that dies detaches its tracees, and each runs on from the registers it has then. A
 * thread set up for an injection runs the injected syscall (harmless: the dump injects only reads
 * and scratch mappings) and then this tail: rt_sigprocmask(SIG_SETMASK, its own mask) — an
 * injection may have blocked a signal to requeue it —, then rax, rcx, rdx, rsi, rdi, r8–r11 (the
 * registers a syscall's number and arguments and the {@code syscall} instruction itself change)
 * loaded back, and a jump to its saved rip. No stack is used (the red zone and the stack stay as
 * they were) and no flags change (mov and jmp set none; the kernel returns from a syscall with the
 * caller's flags). A thread stopped inside an interrupted syscall gets back the restart the kernel
 * would have made: rip before the {@code syscall} instruction, rax its number (or restart_syscall).
 * Nothing single-steps and nothing traps, so no SIGTRAP can be left for the kernel to deliver.
 *
 * <p>The tail lives in the slack of an executable file mapping: the bytes after the end of an ELF
 * executable segment up to the end of its last page, which the mapping shows but no code of the
 * program uses (or, failing that, the zero padding after the vDSO's image). They are written through /proc/PID/mem (which, like a debugger's breakpoint,
 * copies the page privately for this process) and put back by {@link #close()} after each call;
 * left behind by a dying hotvirt they are never executed again.
 */
final class InjectionSite implements AutoCloseable {

    private static final int PT_LOAD = 1;
    private static final int PF_X = 1;
    private static final int ERESTARTSYS = 512;
    private static final int ERESTARTNOINTR = 513;
    private static final int ERESTARTNOHAND = 514;
    private static final int ERESTART_RESTARTBLOCK = 516;
    private static final long NR_RESTART_SYSCALL = 219;

    /** Offsets in the data block after the code: the mask, then the registers in {@link #LOADS} order, then rip. */
    private static final int DATA = 104;
    private static final int MASK = 0;
    private static final int RIP = 80;
    static final int SIZE = DATA + 88;

    /** mov REG, [rip+disp32]: REX prefix and ModRM of each register the tail loads back (data slot 8 + 8·i). */
    private static final int[][] LOADS = {
        {0x48, 0x05}, {0x48, 0x0d}, {0x48, 0x15}, {0x48, 0x35}, {0x48, 0x3d}, // rax rcx rdx rsi rdi
        {0x4c, 0x05}, {0x4c, 0x0d}, {0x4c, 0x15}, {0x4c, 0x1d},               // r8 r9 r10 r11
    };

    private final int pid;
    private final long address;
    private final byte[] original;
    private boolean written;

    private InjectionSite(int pid, long address, byte[] original) {
        this.pid = pid;
        this.address = address;
        this.original = original;
    }

    /**
     * Finds room for the site in one of the process's executable ELF file mappings (its program,
     * libc, the dynamic loader …), else in its vDSO; nothing is written yet.
     *
     * @throws IOException if none has {@link #SIZE} bytes of slack
     */
    static InjectionSite find(int pid) throws IOException {
        List<MemoryMapping> maps = Procfs.maps(pid);
        MemoryMapping vdso = null;
        for (MemoryMapping m : maps) {
            if ("[vdso]".equals(m.path())) {
                vdso = m;
            }
            if (!m.executable() || !m.isPrivate() || m.path() == null || !m.path().startsWith("/")) {
                continue;
            }
            long slack = fileSlack(pid, m);
            if (slack > 0 && m.end() - slack >= SIZE) {
                return new InjectionSite(pid, slack, ProcessMemory.read(pid, slack, SIZE));
            }
        }
        // A restored process may map its code from an image's page file, not from the ELF file
        long slack = vdso == null ? 0 : vdsoSlack(pid, vdso);
        if (slack > 0 && vdso.end() - slack >= SIZE) {
            return new InjectionSite(pid, slack, ProcessMemory.read(pid, slack, SIZE));
        }
        throw new IOException("process " + pid + " has no executable mapping with " + SIZE + " bytes to spare"
                + " after its code, where hotvirt runs injected syscalls so that they are safe even if hotvirt dies;"
                + " hotvirt cannot run syscalls in it");
    }

    /**
     * Where the executable ELF segment(s) this file mapping shows end (16-aligned), or 0 if it
     * shows none or is not an ELF file.
     */
    private static long fileSlack(int pid, MemoryMapping m) {
        Path file = Path.of("/proc", Integer.toString(pid), "map_files",
                Long.toHexString(m.start()) + "-" + Long.toHexString(m.end()));
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            ByteBuffer ehdr = readAt(ch, 0, 64);
            if (!elf64(ehdr)) {
                return 0;
            }
            ByteBuffer ph = programHeaders(ch, ehdr);
            long delta = m.start() - m.offset(); // address of file offset 0 as this mapping shows it
            long end = 0;
            for (int at = 0; at + 56 <= ph.limit(); at += Short.toUnsignedInt(ehdr.getShort(54))) {
                if (ph.getInt(at) != PT_LOAD || (ph.getInt(at + 4) & PF_X) == 0) {
                    continue;
                }
                long segEnd = delta + ph.getLong(at + 8) + Math.max(ph.getLong(at + 32), ph.getLong(at + 40));
                if (segEnd > m.start() && segEnd <= m.end()) {
                    end = Math.max(end, segEnd);
                }
            }
            return end == 0 ? 0 : align16(end);
        } catch (IOException | RuntimeException e) {
            return 0; // unreadable, or not what it seemed: try the next mapping
        }
    }

    /**
     * The vDSO is an ELF image the kernel pads to whole pages: after the end of its file (segments,
     * program and section headers) only zeros follow, which nothing executes.
     */
    private static long vdsoSlack(int pid, MemoryMapping vdso) {
        try {
            ByteBuffer image = ByteBuffer.wrap(ProcessMemory.read(pid, vdso.start(), (int) vdso.size()))
                    .order(ByteOrder.LITTLE_ENDIAN);
            if (!elf64(image)) {
                return 0;
            }
            int phentsize = Short.toUnsignedInt(image.getShort(54));
            int phnum = Short.toUnsignedInt(image.getShort(56));
            long phoff = image.getLong(32);
            long end = Math.max(phoff + (long) phentsize * phnum,
                    image.getLong(40) + (long) Short.toUnsignedInt(image.getShort(58)) * Short.toUnsignedInt(image.getShort(60)));
            for (int i = 0; i < phnum; i++) {
                int at = (int) phoff + i * phentsize;
                end = Math.max(end, image.getLong(at + 8) + image.getLong(at + 32));
            }
            end = align16(end);
            for (long i = end; i < image.limit(); i++) {
                if (image.get((int) i) != 0) {
                    return 0; // not the padding expected: leave it alone
                }
            }
            return vdso.start() + end;
        } catch (IOException | RuntimeException e) {
            return 0;
        }
    }

    private static boolean elf64(ByteBuffer ehdr) {
        return ehdr.limit() >= 64 && ehdr.getInt(0) == 0x464c457f && ehdr.get(4) == 2;
    }

    private static ByteBuffer programHeaders(FileChannel ch, ByteBuffer ehdr) throws IOException {
        int phentsize = Short.toUnsignedInt(ehdr.getShort(54));
        int phnum = Short.toUnsignedInt(ehdr.getShort(56));
        if (phentsize < 56 || phnum > 512) {
            throw new IOException("implausible ELF program headers");
        }
        return readAt(ch, ehdr.getLong(32), phentsize * phnum);
    }

    private static ByteBuffer readAt(FileChannel ch, long position, int length) throws IOException {
        ByteBuffer b = ByteBuffer.allocate(length).order(ByteOrder.LITTLE_ENDIAN);
        while (b.hasRemaining() && ch.read(b, position + b.position()) > 0) {
            // until full or end of file
        }
        return b.flip();
    }

    private static long align16(long address) {
        return (address + 15) & ~15L;
    }

    /** The address of the site's {@code syscall} instruction. */
    long address() {
        return address;
    }

    /**
     * Writes the site for one injection into a thread whose registers are {@code saved} and whose
     * signal mask is {@code mask}: the tail then leads back to exactly that state. Call it before
     * the thread's registers are changed.
     */
    void prepare(Registers saved, long mask) throws IOException {
        Registers back = restartAsKernelWould(saved);
        ByteBuffer b = ByteBuffer.allocate(SIZE).order(ByteOrder.LITTLE_ENDIAN);
        b.put(new byte[] {0x0f, 0x05});                                       // syscall (the injected one)
        b.put((byte) 0xb8).putInt(Syscall.RT_SIGPROCMASK);                     // mov eax, rt_sigprocmask
        b.put(new byte[] {(byte) 0xbf, 2, 0, 0, 0});                          // mov edi, SIG_SETMASK
        b.put(new byte[] {0x48, (byte) 0x8d, 0x35}).putInt(DATA + MASK - 19); // lea rsi, [rip+mask]
        b.put(new byte[] {(byte) 0xba, 0, 0, 0, 0});                          // mov edx, 0 (no old set)
        b.put(new byte[] {0x41, (byte) 0xba, 8, 0, 0, 0});                    // mov r10d, 8 (sigset size)
        b.put(new byte[] {0x0f, 0x05});                                       // syscall
        for (int i = 0; i < LOADS.length; i++) {                              // mov reg, [rip+slot]
            int next = b.position() + 7;
            b.put((byte) LOADS[i][0]).put((byte) 0x8b).put((byte) LOADS[i][1]).putInt(DATA + 8 + 8 * i - next);
        }
        int next = b.position() + 6;
        b.put(new byte[] {(byte) 0xff, 0x25}).putInt(DATA + RIP - next);     // jmp [rip+saved rip]
        b.position(DATA);
        b.putLong(mask);
        b.putLong(back.rax()).putLong(back.rcx()).putLong(back.rdx()).putLong(back.rsi()).putLong(back.rdi())
                .putLong(back.r8()).putLong(back.r9()).putLong(back.r10()).putLong(back.r11());
        b.putLong(back.rip());
        write(pid, address, b.array());
        written = true;
    }

    /**
     * The registers a thread stopped in an interrupted syscall resumes with when no handler runs:
     * the kernel rewinds rip to the {@code syscall} instruction and reloads rax for the restart.
     */
    static Registers restartAsKernelWould(Registers r) {
        if (r.origRax() < 0) {
            return r;
        }
        long err = -r.rax();
        if (err == ERESTARTSYS || err == ERESTARTNOINTR || err == ERESTARTNOHAND) {
            return r.withRax(r.origRax()).withRip(r.rip() - 2);
        }
        if (err == ERESTART_RESTARTBLOCK) {
            return r.withRax(NR_RESTART_SYSCALL).withRip(r.rip() - 2);
        }
        return r;
    }

    /** Puts the slack's own bytes back (best effort: a process that has exited keeps nothing); {@link #prepare} may follow. */
    @Override
    public void close() {
        if (!written) {
            return;
        }
        try {
            write(pid, address, original);
            written = false;
        } catch (IOException e) {
            // gone, or unreachable: the bytes are never executed again either way
        }
    }

    /** /proc/PID/mem writes even read-only pages (as a debugger's breakpoints do), privately for this process. */
    private static void write(int pid, long address, byte[] data) throws IOException {
        try (FileChannel mem = FileChannel.open(Path.of("/proc", Integer.toString(pid), "mem"), StandardOpenOption.WRITE)) {
            ByteBuffer b = ByteBuffer.wrap(data);
            while (b.hasRemaining()) {
                if (mem.write(b, address + b.position()) <= 0) {
                    throw new IOException("writing hotvirt's injection site at 0x" + Long.toHexString(address)
                            + " of process " + pid + ": short write");
                }
            }
        }
    }
}
