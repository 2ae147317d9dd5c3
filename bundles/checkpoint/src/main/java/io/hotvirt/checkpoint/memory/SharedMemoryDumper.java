package io.hotvirt.checkpoint.memory;

import io.hotvirt.checkpoint.image.ImageFile;
import io.hotvirt.checkpoint.image.ImageFormat;
import io.hotvirt.checkpoint.image.ImageWriter;
import io.hotvirt.checkpoint.image.ProcessMetadata;
import io.hotvirt.linux.ptrace.ProcessMemory;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
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

    private SavedObject dump(int pid, ProcessMetadata.Area a, List<ProcessMetadata.Area> areas) throws IOException {
        Path link = Path.of("/proc", Integer.toString(pid), "map_files",
                Long.toHexString(a.start()) + "-" + Long.toHexString(a.end()));
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
                    copyObject(ch, size, out, link);
                    return new SavedObject(a.shm(), a.devMajor(), a.devMinor(), a.inode(), a.path(), size, pid,
                            "map_files", List.of());
                }
            }
            // through the process: its areas of this object, zeros elsewhere
            List<ProcessMetadata.Area> mine = areas.stream().filter(x -> a.shm().equals(x.shm())).toList();
            long size = mine.stream().mapToLong(x -> x.offset() + (x.end() - x.start())).max().orElse(0);
            copyThroughProcess(pid, mine, size, out);
            return new SavedObject(a.shm(), a.devMajor(), a.devMinor(), a.inode(), a.path(), size, pid, "process",
                    List.of());
        }
    }

    private void copyObject(FileChannel ch, long size, ImageFile out, Path link) throws IOException {
        long total = pages(size) * PAGE;
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
        }
        if (total > 0 && out.size() % PAGE != 0) {
            throw new IOException("shared memory object " + link + ": not page-aligned");
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
        buffer.close();
    }
}
