package io.hotvirt.checkpoint.restore;

import io.hotvirt.checkpoint.image.ProcessMetadata;
import io.hotvirt.linux.jna.LibC;
import io.hotvirt.linux.jna.Syscall;
import io.hotvirt.linux.ptrace.ProcessMemory;
import io.hotvirt.linux.ptrace.SyscallInjector;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;

import static io.hotvirt.linux.jna.LibC.MAP_FIXED_NOREPLACE;

/**
 * The one region restore keeps in every process while it rebuilds it: a code page holding the
 * {@code syscall} instruction every injected syscall runs at (so injection never depends on memory
 * being replaced) and the init loop of a fresh PID namespace, then the scratch area for syscall
 * arguments. It is mapped once in the husk, before any process is cloned from it, at an address no
 * saved area of any process uses, so every clone has it at the same place; each restored process
 * unmaps it last.
 */
public record WorkRegion(long address) {

    public static final int PAGE = 4096;
    public static final long BYTES = PAGE + RestoringProcess.SCRATCH_BYTES;

    /** syscall; int3 — the gadget (injections stop at the syscall's exit, so the int3 is never reached). */
    private static final byte[] GADGET = {0x0f, 0x05, (byte) 0xcc};
    private static final int INIT_OFFSET = 16;

    /**
     * The init of a fresh PID namespace: reaps every child (wait4(-1, &status, __WALL)) until there
     * is none left (ECHILD), keeping the wait status of the domain's root, then exits as the root
     * did — its exit code, or 128 + the signal that killed it, as a shell reports it — and with it
     * the namespace goes. Assembled from:
     * <pre>
     *       xor ebx, ebx                 ; the root's wait status
     * loop: mov edi, -1
     *       movabs rsi, STATUS           ; a word at the end of this code page
     *       mov edx, 0x40000000          ; __WALL
     *       xor r10d, r10d
     *       mov eax, 61                  ; wait4
     *       syscall
     *       cmp rax, -10                 ; ECHILD
     *       je done
     *       cmp eax, ROOT                ; the root's PID in the namespace
     *       jne loop
     *       mov ebx, [rsi]
     *       jmp loop
     * done: mov eax, ebx
     *       and eax, 0x7f                ; WTERMSIG
     *       jz exited
     *       lea edi, [rax + 128]
     *       jmp leave
     * exited: movzx edi, bh              ; WEXITSTATUS
     * leave: mov eax, 231                ; exit_group
     *       syscall
     * </pre>
     */
    private static final byte[] INIT_LOOP = {
            0x31, (byte) 0xdb,
            (byte) 0xbf, (byte) 0xff, (byte) 0xff, (byte) 0xff, (byte) 0xff,
            0x48, (byte) 0xbe, 0, 0, 0, 0, 0, 0, 0, 0,
            (byte) 0xba, 0x00, 0x00, 0x00, 0x40,
            0x45, 0x31, (byte) 0xd2,
            (byte) 0xb8, 0x3d, 0x00, 0x00, 0x00,
            0x0f, 0x05,
            0x48, (byte) 0x83, (byte) 0xf8, (byte) 0xf6,
            0x74, 0x0b,
            0x3d, 0, 0, 0, 0,
            0x75, (byte) 0xd5,
            (byte) 0x8b, 0x1e,
            (byte) 0xeb, (byte) 0xd1,
            (byte) 0x89, (byte) 0xd8,
            (byte) 0x83, (byte) 0xe0, 0x7f,
            0x74, 0x08,
            (byte) 0x8d, (byte) 0xb8, (byte) 0x80, 0x00, 0x00, 0x00,
            (byte) 0xeb, 0x03,
            0x0f, (byte) 0xb6, (byte) 0xff,
            (byte) 0xb8, (byte) 0xe7, 0x00, 0x00, 0x00,
            0x0f, 0x05
    };
    private static final int INIT_STATUS_ADDRESS_AT = 9;
    private static final int INIT_ROOT_PID_AT = 39;

    public long gadget() {
        return address;
    }

    /** Where a PID namespace's init starts running. */
    public long initEntry() {
        return address + INIT_OFFSET;
    }

    public long scratch() {
        return address + PAGE;
    }

    public boolean contains(long a) {
        return a >= address && a < address + BYTES;
    }

    /**
     * Maps the region into the husk (thread {@code tid}, injected through {@code husk}) clear of
     * every saved area of {@code processes} and writes its code; the first of {@code processes} is
     * the domain's root.
     */
    public static WorkRegion place(SyscallInjector husk, int tid, List<ProcessMetadata> processes) throws IOException {
        List<long[]> taken = new ArrayList<>();
        for (ProcessMetadata p : processes) {
            p.areas().forEach(a -> taken.add(new long[]{a.start(), a.end()}));
            if (p.tree() != null) {
                p.tree().mm().kernelAreas().forEach(k -> taken.add(new long[]{k.start(), k.end()}));
            }
        }
        int prot = LibC.PROT_READ | LibC.PROT_WRITE | LibC.PROT_EXEC;
        int flags = LibC.MAP_PRIVATE | LibC.MAP_ANONYMOUS;
        long got = husk.call(tid, "mmap", Syscall.MMAP, 0, BYTES, prot, flags, -1, 0);
        if (overlaps(taken, got)) {
            husk.call(tid, "munmap", Syscall.MUNMAP, got, BYTES);
            got = 0;
            // the kernel's choice collides with the image: walk down from the top of the address space
            for (long at = 0x7e0000000000L; at > 0x10000000L && got == 0; at -= 0x8000000000L / 16) {
                if (overlaps(taken, at)) {
                    continue;
                }
                long r = husk.callRaw(tid, "mmap", Syscall.MMAP, at, BYTES, prot, flags | MAP_FIXED_NOREPLACE, -1, 0);
                if (r == at) {
                    got = at;
                }
            }
            if (got == 0) {
                throw new IOException("found no address for restore's work region clear of the image's areas");
            }
        }
        ByteBuffer code = ByteBuffer.allocate(INIT_OFFSET + INIT_LOOP.length).order(ByteOrder.LITTLE_ENDIAN);
        code.put(GADGET).put(INIT_OFFSET, INIT_LOOP)
                .putLong(INIT_OFFSET + INIT_STATUS_ADDRESS_AT, got + PAGE - 8)
                .putInt(INIT_OFFSET + INIT_ROOT_PID_AT, processes.get(0).pid());
        ProcessMemory.write(husk.pid(), got, code.array());
        return new WorkRegion(got);
    }

    /**
     * Where a fresh PID namespace's init keeps its command line: in the code page, which init keeps,
     * clear of the code and of the root's wait status at the page's end.
     */
    public long initArguments() {
        return address + INIT_ARGUMENTS_OFFSET;
    }

    private static final int INIT_ARGUMENTS_OFFSET = 1024;
    static final int INIT_ARGUMENTS_MAX = PAGE - INIT_ARGUMENTS_OFFSET - 64;

    private static boolean overlaps(List<long[]> taken, long at) {
        long end = at + BYTES;
        return taken.stream().anyMatch(r -> Long.compareUnsigned(r[0], end) < 0 && Long.compareUnsigned(at, r[1]) < 0);
    }
}
