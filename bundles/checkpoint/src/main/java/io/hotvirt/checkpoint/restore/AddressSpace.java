package io.hotvirt.checkpoint.restore;

import io.hotvirt.checkpoint.image.PageIndexReader;
import io.hotvirt.checkpoint.image.PageRun;
import io.hotvirt.checkpoint.image.ProcessMetadata;
import io.hotvirt.checkpoint.image.ImageFormat;
import io.hotvirt.checkpoint.tree.Credentials;
import io.hotvirt.checkpoint.tree.MmFields;
import io.hotvirt.linux.jna.LibC;
import io.hotvirt.linux.jna.Syscall;
import io.hotvirt.linux.proc.MemoryMapping;
import io.hotvirt.linux.proc.Procfs;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Turns a husk clone's memory into the saved process's: the vDSO and vvar moved to where they were
 * (same kernel, so same code: the process's saved pointers into them stay right), everything else
 * of the husk unmapped, then every saved area mapped at its address. Only the {@link WorkRegion}
 * survives from the husk, to be unmapped last.
 */
final class AddressSpace {

    private static final int MREMAP_MAYMOVE = 1;
    private static final int MREMAP_FIXED = 2;

    private AddressSpace() {
    }

    /** Moves the husk's [vdso] and [vvar*] to their saved places, then unmaps all the rest of the husk. */
    static void clear(RestoringProcess p, WorkRegion region, MmFields saved) throws IOException {
        List<MemoryMapping> now = Procfs.maps(p.pid());
        List<MemoryMapping> kernel = now.stream().filter(m -> m.isVdso() || m.isVvar()).toList();
        // two steps, via a reserved spot, so that no target overwrites another special area still to move
        long total = kernel.stream().mapToLong(MemoryMapping::size).sum();
        List<long[]> moves = new ArrayList<>();
        if (total > 0) {
            long spot = p.call("mmap", Syscall.MMAP, 0, total, LibC.PROT_NONE, LibC.MAP_PRIVATE | LibC.MAP_ANONYMOUS,
                    -1, 0);
            long at = spot;
            for (MemoryMapping m : kernel) {
                MmFields.KernelArea target = saved.area(m.path()).orElseThrow(() -> new IOException("the image of"
                        + " process has no " + m.path() + " area, which this kernel maps: it was taken on another kernel"));
                if (target.end() - target.start() != m.size()) {
                    throw new IOException(m.path() + " is " + m.size() + " bytes on this kernel but was "
                            + (target.end() - target.start()) + " in the image: restore needs the kernel the image was"
                            + " taken on");
                }
                remap(p, m.start(), m.size(), at);
                moves.add(new long[]{at, m.size(), target.start()});
                at += m.size();
            }
            for (long[] mv : moves) {
                remap(p, mv[0], mv[1], mv[2]);
            }
        }
        for (MemoryMapping m : Procfs.maps(p.pid())) {
            if (m.isVdso() || m.isVvar() || m.isVsyscall() || region.contains(m.start())) {
                continue;
            }
            try {
                p.call("munmap", Syscall.MUNMAP, m.start(), m.size());
            } catch (IOException e) {
                throw new IOException("unmapping the husk's " + m + ": " + e.getMessage(), e);
            }
        }
    }

    private static void remap(RestoringProcess p, long from, long size, long to) throws IOException {
        long got = p.call("mremap", Syscall.MREMAP, from, size, size, MREMAP_MAYMOVE | MREMAP_FIXED, to);
        if (got != to) {
            throw new IOException("mremap of 0x" + Long.toHexString(from) + " to 0x" + Long.toHexString(to)
                    + " in process " + p.pid() + " returned 0x" + Long.toHexString(got));
        }
    }

    /**
     * Maps every saved area of {@code meta} into {@code p}: private ones through {@link MemoryRestorer},
     * shared memory objects from {@code shm}, shared file mappings from their files.
     *
     * @return pages of the image used
     */
    static long restore(RestoringProcess p, ProcessMetadata meta, Path image, MemoryRestorer.Mode mode,
                        SharedObjects shm, java.util.function.LongConsumer onCopied) throws IOException {
        List<PageRun> runs = new ArrayList<>();
        Path index = image.resolve(ImageFormat.pageIndexFile(meta.pid()));
        if (java.nio.file.Files.exists(index)) {
            PageIndexReader.forEach(index, runs::add);
        }
        runs.sort((a, b) -> Long.compareUnsigned(a.vaddr(), b.vaddr()));
        Path pages = image.resolve(ImageFormat.pagesFile(meta.pid()));
        long used = 0;
        Credentials identity = meta.tree().credentials();
        try (MemoryRestorer memory = new MemoryRestorer(p.injector(), p.pid(), p.scratch()).onCopied(onCopied)
                .openingAs(p, identity)) {
            for (ProcessMetadata.Area a : meta.areas()) {
                switch (a.contents()) {
                    case "pages" -> used += memory.restore(a, within(runs, a), pages, mode).imagePages();
                    case "shm" -> shm.map(p, a);
                    case "file" -> mapSharedFile(p, meta.pid(), a, identity);
                    case "kernel" -> { } // moved by clear()
                    default -> throw new IOException("area " + describe(a) + " of process " + meta.pid() + " ("
                            + a.contents() + ") cannot be restored: the image holds nothing of it");
                }
            }
        }
        return used;
    }

    private static List<PageRun> within(List<PageRun> sorted, ProcessMetadata.Area a) {
        List<PageRun> out = new ArrayList<>();
        for (PageRun r : sorted) {
            if (Long.compareUnsigned(r.vaddr(), a.end()) >= 0) {
                break;
            }
            if (Long.compareUnsigned(r.end(), a.start()) > 0) {
                out.add(r);
            }
        }
        return out;
    }

    /**
     * A real file mapped shared: map the file again (its contents are the file's, not the image's),
     * opened as the process's saved identity, and checked to be the file the process had mapped.
     */
    private static void mapSharedFile(RestoringProcess p, int imagePid, ProcessMetadata.Area a, Credentials identity)
            throws IOException {
        String path = a.path();
        int access = a.perms().charAt(1) == 'w' ? LibC.O_RDWR : LibC.O_RDONLY;
        long fd;
        try {
            fd = FsIdentity.as(p, identity, () -> p.call("openat", Syscall.OPENAT, LibC.AT_FDCWD,
                    p.writeString(0, path), access | LibC.O_CLOEXEC, 0));
        } catch (IOException e) {
            throw new IOException("restoring the shared file mapping " + describe(a) + " of process " + imagePid
                    + ": " + e.getMessage(), e);
        }
        try {
            p.call("mmap", Syscall.MMAP, a.start(), a.end() - a.start(), MemoryRestorer.prot(a.perms()),
                    LibC.MAP_SHARED | LibC.MAP_FIXED, fd, a.offset());
        } finally {
            p.call("close", Syscall.CLOSE, fd);
        }
        // compared as /proc/PID/maps shows both (on overlayfs it shows the real inode, which stat does not)
        MemoryMapping now = Procfs.maps(p.pid()).stream().filter(m -> m.start() == a.start()).findFirst()
                .orElseThrow(() -> new IOException("the shared file mapping " + describe(a) + " of process "
                        + imagePid + " is not there after mmap"));
        if (now.devMajor() != a.devMajor() || now.devMinor() != a.devMinor() || now.inode() != a.inode()) {
            throw new IOException("the shared file mapping " + describe(a) + " of process " + imagePid + ": " + path
                    + " is not the file the process had mapped (now device " + now.devMajor() + ":" + now.devMinor()
                    + " inode " + now.inode() + ", was " + a.devMajor() + ":" + a.devMinor() + " inode " + a.inode()
                    + ")");
        }
    }

    static String describe(ProcessMetadata.Area a) {
        return String.format("%x-%x %s %s", a.start(), a.end(), a.perms(), Optional.ofNullable(a.path()).orElse(""));
    }
}
