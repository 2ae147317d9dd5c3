package io.hotvirt.checkpoint.restore;

import com.sun.jna.Memory;
import io.hotvirt.checkpoint.image.ImageFormat;
import io.hotvirt.checkpoint.image.PageKind;
import io.hotvirt.checkpoint.image.PageRun;
import io.hotvirt.checkpoint.image.ProcessMetadata;
import io.hotvirt.checkpoint.tree.Credentials;
import io.hotvirt.linux.jna.LibC;
import io.hotvirt.linux.jna.Syscall;
import io.hotvirt.linux.process.ProcessMadvise;
import io.hotvirt.linux.ptrace.ProcessMemory;
import io.hotvirt.linux.ptrace.SyscallInjector;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static io.hotvirt.linux.jna.LibC.AT_FDCWD;
import static io.hotvirt.linux.jna.LibC.MAP_GROWSDOWN;
import static io.hotvirt.linux.jna.Syscall.OPENAT;

/**
 * Maps saved private memory areas back into a stopped, traced process at their original addresses,
 * by syscall injection into one of its threads:
 * <ol>
 *   <li>an anonymous private MAP_FIXED mapping over the whole area (the pages the image does not
 *       hold read as zeros, as they did);</li>
 *   <li>the pages the image holds: {@link Mode#ZERO_COPY} maps each run of the page file over it
 *       with MAP_PRIVATE|MAP_FIXED at the run's file offset (the page file is opened inside the
 *       process with an injected openat, and closed again by {@link #close()}); {@link Mode#COPY}
 *       writes them with process_vm_writev;</li>
 *   <li>mprotect to the saved protections.</li>
 * </ol>
 * The process's own mappings in the way are replaced (MAP_FIXED): the caller decides what may be
 * overwritten. Uses {@link #SCRATCH_BYTES} of a scratch area of the process for the path.
 */
public final class MemoryRestorer implements AutoCloseable {

    /** How private pages come back. */
    public enum Mode {
        /**
         * Copy-on-write mappings of the page file for every private area but the heap and the main
         * stack: no copy, restore time independent of memory size. Not exact for writable memory: a
         * page dropped with MADV_DONTNEED reads back its checkpointed bytes instead of zeros (jemalloc
         * and glibc's arenas then hand out non-zeroed calloc memory), MADV_FREE and userfaultfd refuse
         * file mappings, and no transparent huge pages back them.
         */
        ZERO_COPY,
        /** Anonymous memory written with process_vm_writev: every page copied (and faulted in). */
        COPY,
        /**
         * Zero-copy where it is exact — areas the process cannot write, whose pages it cannot drop to
         * zeros either — and copied elsewhere. The default.
         */
        ZERO_COPY_READ_ONLY
    }

    /** What one area took. */
    public record Result(long bytes, long imagePages, int mappings, long nanos) {
    }

    public static final int SCRATCH_BYTES = 4096;

    private static final int COPY_CHUNK = 8 << 20;

    private final SyscallInjector injector;
    private final int tid;
    private final long scratch;
    private final Map<Path, Long> openFds = new HashMap<>();
    private Memory copyBuffer;
    private java.util.function.LongConsumer onCopied = n -> { };
    private RestoringProcess process;
    private Credentials identity;

    /**
     * @param injector for the process to restore into; {@code tid} one of its threads, ptrace-stopped
     * @param scratch  a writable scratch area of at least {@link #SCRATCH_BYTES} in that process,
     *                 outside every area to restore
     */
    public MemoryRestorer(SyscallInjector injector, int tid, long scratch) {
        this.injector = injector;
        this.tid = tid;
        this.scratch = scratch;
    }

    /** Told the bytes of each chunk {@link Mode#COPY} writes (a copy of GiBs takes seconds: progress). */
    public MemoryRestorer onCopied(java.util.function.LongConsumer listener) {
        this.onCopied = listener;
        return this;
    }

    /**
     * Opens the files private areas map as {@code identity} ({@link FsIdentity}): they are the
     * workload's, while the page file stays restore's own. {@code process}: the one restored into, whose
     * main thread is the {@code tid} given.
     */
    MemoryRestorer openingAs(RestoringProcess process, Credentials identity) {
        this.process = process;
        this.identity = identity;
        return this;
    }

    /**
     * Restores one private area: {@code runs} are the page runs of the image (any order; only the
     * parts inside the area are used), {@code pagesFile} the image's page file they point into.
     */
    public Result restore(ProcessMetadata.Area area, List<PageRun> runs, Path pagesFile, Mode wanted) throws IOException {
        Mode mode = wanted;
        long t0 = System.nanoTime();
        String perms = area.perms();
        if (perms.length() < 4 || perms.charAt(3) != 'p') {
            throw new IOException("area " + describe(area) + " is not private: shared areas are not restored by"
                    + " MemoryRestorer");
        }
        long start = area.start();
        long length = area.end() - area.start();
        if (start % ImageFormat.PAGE_SIZE != 0 || length <= 0 || length % ImageFormat.PAGE_SIZE != 0) {
            throw new IOException("area " + describe(area) + " is not page aligned");
        }
        String file = backingFile(area);
        if (file != null) {
            // the pages the process never wrote come from the file, as they did
            mmap(area, start, length, LibC.MAP_PRIVATE, open(Path.of(file), false), area.offset());
        } else {
            mmap(area, start, length, LibC.MAP_PRIVATE | LibC.MAP_ANONYMOUS | (isStack(area) ? MAP_GROWSDOWN : 0),
                    -1, 0);
        }
        if (mode == Mode.ZERO_COPY_READ_ONLY) {
            mode = perms.charAt(1) == 'w' ? Mode.COPY : Mode.ZERO_COPY;
        }
        if (mode == Mode.ZERO_COPY && (isStack(area) || "[heap]".equals(area.path()))) {
            mode = Mode.COPY; // small, and the stack must stay one growable anonymous area, the heap brk's
        }
        int mappings = 1;
        long pages = 0;
        if (mode == Mode.ZERO_COPY) {
            long fd = -1;
            for (PageRun run : runs) {
                long from = Math.max(run.vaddr(), start);
                long to = Math.min(run.end(), area.end());
                if (from >= to) {
                    continue;
                }
                if (fd < 0) {
                    fd = open(pagesFile, true);
                }
                mmap(area, from, to - from, LibC.MAP_PRIVATE, fd, run.fileOffset() + (from - run.vaddr()));
                mappings++;
                pages += (to - from) / ImageFormat.PAGE_SIZE;
            }
        } else {
            pages = copy(area, runs, pagesFile);
        }
        injector.call(tid, "mprotect", Syscall.MPROTECT, start, length, prot(perms));
        return new Result(length, pages, mappings, System.nanoTime() - t0);
    }

    /** Closes, inside the process, the page files {@link Mode#ZERO_COPY} opened (the mappings stay). */
    @Override
    public void close() throws IOException {
        if (copyBuffer != null) {
            copyBuffer.close(); // native memory: not left for a GC that native allocations do not trigger
            copyBuffer = null;
        }
        IOException failure = null;
        for (Map.Entry<Path, Long> e : openFds.entrySet()) {
            try {
                injector.call(tid, "close", Syscall.CLOSE, e.getValue());
            } catch (IOException ex) {
                if (failure == null) {
                    failure = new IOException("closing " + e.getKey() + " in process " + injector.pid() + ": "
                            + ex.getMessage(), ex);
                }
            }
        }
        openFds.clear();
        if (failure != null) {
            throw failure;
        }
    }

    static int prot(String perms) {
        int prot = LibC.PROT_NONE;
        if (perms.charAt(0) == 'r') {
            prot |= LibC.PROT_READ;
        }
        if (perms.charAt(1) == 'w') {
            prot |= LibC.PROT_WRITE;
        }
        if (perms.charAt(2) == 'x') {
            prot |= LibC.PROT_EXEC;
        }
        return prot;
    }

    private void mmap(ProcessMetadata.Area area, long address, long length, int flags, long fd, long offset)
            throws IOException {
        long got;
        try {
            got = injector.call(tid, "mmap", Syscall.MMAP, address, length, LibC.PROT_READ | LibC.PROT_WRITE,
                    flags | LibC.MAP_FIXED, fd, offset);
        } catch (IOException e) {
            throw new IOException("restoring area " + describe(area) + " of process " + injector.pid() + ": "
                    + e.getMessage(), e);
        }
        if (got != address) {
            throw new IOException("restoring area " + describe(area) + ": mmap MAP_FIXED at 0x" + Long.toHexString(address)
                    + " returned 0x" + Long.toHexString(got));
        }
    }

    /**
     * The file a private area maps, checked to be the one the image saw (same inode), or null for an
     * anonymous area. Its unmodified pages are not in the image: they must come from that file.
     */
    static String backingFile(ProcessMetadata.Area area) throws IOException {
        String path = area.path();
        if (area.inode() == 0 || path == null || !path.startsWith("/")) {
            return null;
        }
        if (path.endsWith(" (deleted)")) {
            throw new IOException("area " + describe(area) + " maps a file deleted before the checkpoint: its"
                    + " unmodified pages are in no file any more, so it cannot be restored");
        }
        Object inode;
        try {
            inode = Files.getAttribute(Path.of(path), "unix:ino");
        } catch (IOException e) {
            throw new IOException("area " + describe(area) + " maps " + path + ", which is not there any more ("
                    + e.getMessage() + "): restore needs the files the image's processes had mapped", e);
        }
        if (((Number) inode).longValue() != area.inode()) {
            throw new IOException("area " + describe(area) + " maps " + path + ", which has been replaced since the"
                    + " checkpoint (inode " + inode + ", was " + area.inode() + "): its pages would not be the ones the"
                    + " process had");
        }
        return path;
    }

    private static boolean isStack(ProcessMetadata.Area area) {
        return "[stack]".equals(area.path());
    }

    /**
     * openat(AT_FDCWD, path, O_RDONLY|O_CLOEXEC) in the process, a mapped file as its identity; the fd is
     * kept for the next areas.
     */
    private long open(Path file, boolean imageFile) throws IOException {
        Path path = imageFile ? file.toAbsolutePath() : file;
        Long known = openFds.get(path);
        if (known != null) {
            return known;
        }
        byte[] name = (path + "\0").getBytes(StandardCharsets.UTF_8);
        if (name.length > SCRATCH_BYTES) {
            throw new IOException("path too long for the scratch area: " + path);
        }
        FsIdentity.IoCall<Long> open = () -> {
            ProcessMemory.write(injector.pid(), scratch, name);
            return injector.call(tid, "openat", OPENAT, AT_FDCWD, scratch, LibC.O_RDONLY | LibC.O_CLOEXEC, 0);
        };
        long fd = imageFile || process == null ? open.call() : FsIdentity.as(process, identity, open);
        openFds.put(path, fd);
        return fd;
    }

    private long copy(ProcessMetadata.Area area, List<PageRun> runs, Path pagesFile) throws IOException {
        if (copyBuffer == null) {
            copyBuffer = new Memory(COPY_CHUNK);
        }
        long pages = 0;
        try (FileChannel in = FileChannel.open(pagesFile, StandardOpenOption.READ)) {
            for (PageRun run : runs) {
                long from = Math.max(run.vaddr(), area.start());
                long to = Math.min(run.end(), area.end());
                for (long at = from; at < to; ) {
                    int n = (int) Math.min(COPY_CHUNK, to - at);
                    ByteBuffer b = copyBuffer.getByteBuffer(0, n);
                    long pos = run.fileOffset() + (at - run.vaddr());
                    while (b.hasRemaining()) {
                        if (in.read(b, pos + b.position()) < 0) {
                            throw new IOException(pagesFile + " ends at " + (pos + b.position()) + ", before the"
                                    + " pages of 0x" + Long.toHexString(at) + " the index points to");
                        }
                    }
                    ProcessMemory.write(injector.pid(), at, copyBuffer, n);
                    if (run.kind() == PageKind.SWAPPED) {
                        pageOut(at, n);
                    }
                    onCopied.accept(n);
                    at += n;
                    pages += n / ImageFormat.PAGE_SIZE;
                }
            }
        }
        return pages;
    }

    /**
     * Pages that were in swap at the checkpoint go back there once copied: the process comes back
     * with the resident set it had, and a domain held to its memory limit is not pushed over it by
     * its own restore (the copies are charged to its cgroup). Best effort: without swap they stay.
     */
    private void pageOut(long address, long length) {
        try {
            ProcessMadvise.advise(injector.pid(), List.of(new ProcessMadvise.Range(address, length)),
                    ProcessMadvise.MADV_PAGEOUT);
        } catch (IOException | RuntimeException e) {
            // stays resident: the kernel reclaims it under pressure like any other page
        }
    }

    private static String describe(ProcessMetadata.Area a) {
        return String.format("%x-%x %s %s", a.start(), a.end(), a.perms(), a.path() == null ? "" : a.path());
    }
}
