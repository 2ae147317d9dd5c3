package io.hotvirt.checkpoint.memory;

import io.hotvirt.checkpoint.image.DumpStats;
import io.hotvirt.checkpoint.image.ImageFile;
import io.hotvirt.checkpoint.image.ImageFormat;
import io.hotvirt.checkpoint.image.ImageWriter;
import io.hotvirt.checkpoint.image.ProcessMetadata;
import io.hotvirt.linux.proc.MemoryMapping;
import io.hotvirt.linux.proc.Procfs;
import io.hotvirt.linux.ptrace.ProcessMemory;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

/**
 * Saves the shared memory objects of a domain — shared anonymous memory, memfds, SysV segments:
 * the {@code shm} areas of {@link AreaPolicy} — once each, however many processes map them. An
 * object is known by the (device, inode) of its maps line; its contents go to
 * {@link ImageFormat#shmFile}, whole pages from offset 0 of the object, and each process's areas
 * name that file and their offset in it.
 *
 * <p>The object is read as a file through {@code /proc/PID/map_files/START-END} of the first
 * process seen mapping it, opened read-only: that reads the object itself — pages no process has
 * mapped (written with write(2), or faulted in by a process that unmapped them since) included —
 * and neither faults pages into the process's page tables nor allocates pages for holes (they read
 * as zeros). Where that link cannot be opened, the object is read through the process with
 * process_vm_readv over the areas of that process that map it; parts of the object it does not map
 * are then written as zeros, and {@link SavedObject#via()} says so.
 *
 * <p>A read of a shmem page that is in swap swaps it in (there is no slot to read directly: shmem
 * swap entries are in no page table, so no pagemap names them). So the pages in swap — not in
 * memory (mincore) yet data, not holes (SEEK_DATA) — are noted before the dump reads anything
 * ({@link #lookAhead}, {@link ObjectResidency}), counted as swapped pages read through the process,
 * and those a chunk's read brought in are paged out again right after it (MADV_PAGEOUT), so the
 * object's size in memory ends where it began. The write back to swap is asynchronous: until
 * reclaim frees them, those pages wait in the swap cache, clean and first in line (user space
 * cannot free them sooner: touching them again would move them back into the object).
 *
 * <p>The caller holds the processes still (frozen, or ptrace-stopped) while this reads.
 */
public final class SharedMemoryDumper implements AutoCloseable {

    static final int PAGE = AlignedBuffer.ALIGN;
    private static final int CHUNK = 256 * PAGE;

    /** {@code shm.json}: every shared memory object saved. */
    public record Record(List<SavedObject> objects) {
    }

    /**
     * One shared memory object as saved.
     *
     * @param file     the image file with its contents
     * @param path     the name /proc/PID/maps gives it ({@code /dev/zero (deleted)}, {@code /memfd:x (deleted)} …)
     * @param size     the object's size in bytes (the file is that, rounded up to whole pages)
     * @param readFrom the process it was read through
     * @param via      {@code map_files} (the object itself) or {@code process} (its areas in {@code readFrom} only)
     * @param mappedBy every process with an area of it
     */
    public record SavedObject(String file, int devMajor, int devMinor, long inode, String path, long size,
                              int readFrom, String via, List<Integer> mappedBy) {
    }

    private final ImageWriter writer;
    private final Map<String, SavedObject> saved = new LinkedHashMap<>();
    private final Map<String, TreeSet<Integer>> mappers = new LinkedHashMap<>();
    private final AlignedBuffer buffer = new AlignedBuffer(CHUNK);
    private final List<String> fallbackReasons = new ArrayList<>();
    private final Map<String, ObjectResidency> looked = new LinkedHashMap<>();
    private long swappedPages;

    public SharedMemoryDumper(ImageWriter writer) {
        this.writer = writer;
    }

    /**
     * Saves every object the {@code shm} areas of process {@code pid} name that is not saved yet,
     * and notes {@code pid} as mapping the others.
     */
    public void save(int pid, List<ProcessMetadata.Area> areas) throws IOException {
        for (ProcessMetadata.Area a : areas) {
            if (a.shm() == null) {
                continue;
            }
            mappers.computeIfAbsent(a.shm(), k -> new TreeSet<>()).add(pid);
            if (!saved.containsKey(a.shm())) {
                saved.put(a.shm(), dump(pid, a, areas));
            }
        }
    }

    /**
     * Notes which pages of each shared memory object process {@code pid} maps are in memory, before
     * the dump reads anything: swap readahead of any later read (of private pages, of another object)
     * may bring an object's swapped pages into the swap cache, where they would look resident.
     * Best effort: an object not looked at here is looked at when it is saved.
     */
    public void lookAhead(int pid) throws IOException {
        for (MemoryMapping m : Procfs.maps(pid)) {
            String key = ImageFormat.shmFile(m.devMajor(), m.devMinor(), m.inode());
            if (!AreaPolicy.contents(m).equals(AreaPolicy.SHM) || looked.containsKey(key)) {
                continue;
            }
            Path link = link(pid, m.start(), m.end());
            try {
                long size = Files.size(link);
                if (size > 0) {
                    looked.put(key, ObjectResidency.map(link.toString(), pages(size)));
                }
            } catch (IOException | UnsupportedOperationException e) {
                // looked at again when saved
            }
        }
    }

    /** What was saved, each object once, with every process that maps it. */
    public Record record() {
        List<SavedObject> out = new ArrayList<>();
        for (SavedObject o : saved.values()) {
            out.add(new SavedObject(o.file(), o.devMajor(), o.devMinor(), o.inode(), o.path(), o.size(),
                    o.readFrom(), o.via(), List.copyOf(mappers.get(o.file()))));
        }
        return new Record(out);
    }

    /** Bytes written for all objects. */
    public long bytes() {
        return saved.values().stream().mapToLong(o -> pages(o.size()) * PAGE).sum();
    }

    /**
     * The statistics of all objects: pages swapped in by the read are swapped pages read through the
     * process; every other page saved counts as resident (holes, saved as zeros, included).
     */
    public DumpStats stats() {
        long pages = bytes() / PAGE;
        return new DumpStats(pages - swappedPages, swappedPages, 0, swappedPages, 0, pages * PAGE, 0, 0);
    }

    /** Why pages in swap were swapped in, one line per distinct reason. */
    public List<String> fallbackReasons() {
        return List.copyOf(fallbackReasons);
    }

    private SavedObject dump(int pid, ProcessMetadata.Area a, List<ProcessMetadata.Area> areas) throws IOException {
        Path link = link(pid, a.start(), a.end());
        FileChannel object;
        try {
            object = FileChannel.open(link, StandardOpenOption.READ);
        } catch (IOException | UnsupportedOperationException e) {
            object = null;
        }
        try (ImageFile out = writer.file(a.shm())) {
            if (object != null) {
                try (FileChannel ch = object) {
                    long size = ch.size();
                    try (ObjectResidency residency = map(a.shm(), link, size)) {
                        copyObject(ch, size, out, link, residency);
                    }
                    return new SavedObject(a.shm(), a.devMajor(), a.devMinor(), a.inode(), a.path(), size, pid,
                            "map_files", List.of());
                }
            }
            // through the process: its areas of this object, zeros elsewhere
            List<ProcessMetadata.Area> mine = areas.stream().filter(x -> a.shm().equals(x.shm())).toList();
            long size = mine.stream().mapToLong(x -> x.offset() + (x.end() - x.start())).max().orElse(0);
            note("shared memory object " + a.path() + " read through process " + pid
                    + " (map_files not readable): its pages in swap are swapped in, not counted");
            copyThroughProcess(pid, mine, size, out);
            return new SavedObject(a.shm(), a.devMajor(), a.devMinor(), a.inode(), a.path(), size, pid, "process",
                    List.of());
        }
    }

    private static Path link(int pid, long start, long end) {
        return Path.of("/proc", Integer.toString(pid), "map_files", Long.toHexString(start) + "-" + Long.toHexString(end));
    }

    private ObjectResidency map(String key, Path link, long size) {
        ObjectResidency early = looked.remove(key);
        if (early != null && early.pages() == pages(size)) {
            return early;
        }
        if (early != null) {
            early.close(); // resized since: look again
        }
        if (size == 0) {
            return null;
        }
        try {
            return ObjectResidency.map(link.toString(), pages(size));
        } catch (IOException e) {
            note("shared memory pages in swap cannot be found (" + e.getMessage()
                    + "): they are swapped in by the read, not counted, and stay resident");
            return null;
        }
    }

    private void copyObject(FileChannel ch, long size, ImageFile out, Path link, ObjectResidency residency)
            throws IOException {
        long total = pages(size) * PAGE;
        boolean[] before = residency == null ? null : residency.residentAtFirst;
        boolean[] data = residency == null ? null : residency.dataAtFirst;
        for (long at = 0; at < total; at += CHUNK) {
            int n = (int) Math.min(CHUNK, total - at);
            ByteBuffer view = buffer.view(n);
            zero(view);
            while (view.hasRemaining()) {
                int r = ch.read(view, at + view.position());
                if (r <= 0) {
                    break; // end of the object (it may have shrunk): the rest of the page is zeros
                }
            }
            out.writeFully(buffer.view(n));
            if (before != null) {
                pageOutSwappedIn(residency, at, n / PAGE, before, data);
            }
        }
        if (total > 0 && out.size() % PAGE != 0) {
            throw new IOException("shared memory object " + link + ": not page-aligned");
        }
    }

    /**
     * Counts the {@code n} pages from {@code at} that were in swap (data, not in memory before the
     * object was read) and pages out again those of them the read left in memory.
     */
    private void pageOutSwappedIn(ObjectResidency residency, long at, int n, boolean[] before, boolean[] data)
            throws IOException {
        boolean[] after = residency.resident(at, n);
        boolean[] swappedIn = new boolean[n];
        int first = (int) (at / PAGE);
        int count = 0;
        boolean any = false;
        for (int i = 0; i < n; i++) {
            if (!before[first + i] && data[first + i]) {
                count++;
                swappedIn[i] = after[i];
                any |= after[i];
            }
        }
        if (count == 0) {
            return;
        }
        swappedPages += count;
        note("shared memory pages in swap are read through the object: swapped in and paged out again");
        if (!any) {
            return;
        }
        int still;
        try {
            still = residency.pageOut(at, swappedIn);
        } catch (IOException e) {
            note("shared memory pages swapped in stay resident: " + e.getMessage());
            return;
        }
        if (still > 0) {
            note("some shared memory pages paged out again were still in memory right after (their write to"
                    + " swap in flight): they are the first reclaimed");
        }
    }

    private void note(String reason) {
        if (!fallbackReasons.contains(reason)) {
            fallbackReasons.add(reason);
        }
    }

    private void copyThroughProcess(int pid, List<ProcessMetadata.Area> mine, long size, ImageFile out)
            throws IOException {
        long total = pages(size) * PAGE;
        for (long at = 0; at < total; at += PAGE) {
            ByteBuffer view = buffer.view(PAGE);
            zero(view);
            for (ProcessMetadata.Area x : mine) {
                long len = x.end() - x.start();
                if (at >= x.offset() && at < x.offset() + len && x.perms().charAt(0) == 'r') {
                    ProcessMemory.read(pid, x.start() + (at - x.offset()), buffer.pointer(), PAGE);
                    break;
                }
            }
            out.writeFully(buffer.view(PAGE));
        }
    }

    private static void zero(ByteBuffer view) {
        for (int i = 0; i < view.limit(); i += 8) {
            view.putLong(i, 0);
        }
    }

    private static long pages(long bytes) {
        return (bytes + PAGE - 1) / PAGE;
    }

    /** Whether {@code file} is one this dumper writes (for tools listing an image). */
    public static boolean isShmFile(String file) {
        return file.startsWith("shm-") && file.endsWith(".img");
    }

    @Override
    public void close() {
        looked.values().forEach(ObjectResidency::close);
        buffer.close();
    }
}
