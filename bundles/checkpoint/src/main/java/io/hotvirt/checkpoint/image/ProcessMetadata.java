package io.hotvirt.checkpoint.image;

import io.hotvirt.checkpoint.cpu.ThreadCpu;
import io.hotvirt.checkpoint.signals.ProcessSignals;
import io.hotvirt.checkpoint.tree.ProcessRecord;

import java.util.List;

/**
 * {@code process-PID.json}: who the process was (its tree record: ids, credentials, cwd, rlimits,
 * mm fields), the CPU state of every thread, its signal state, and its memory areas with the
 * statistics of its page dump. The open files of the whole domain are in {@code files.json}.
 *
 * @param tree    the process record; null in a memory-only image ({@code ProcessCheckpoint})
 * @param threads registers and xstate of every thread; empty in a memory-only image
 * @param signals dispositions, masks, pending signals, altstacks, timers; null in a memory-only image
 * @param pages   what the page dump of this process saw; null in a memory-only image
 */
public record ProcessMetadata(int pid, String comm, String exe, ProcessRecord tree, List<ThreadCpu> threads,
                              ProcessSignals signals, List<Area> areas, DumpStats pages) {

    public ProcessMetadata {
        threads = threads == null ? List.of() : List.copyOf(threads);
        areas = List.copyOf(areas);
    }

    /** A memory-only record. */
    public ProcessMetadata(int pid, String comm, String exe, List<Area> areas) {
        this(pid, comm, exe, null, List.of(), null, areas, null);
    }

    /**
     * One memory area from /proc/PID/maps, and what the image holds of it.
     *
     * @param contents {@code pages} (its private pages are in the page file), {@code file} (comes
     *                 from the mapped file: a real file mapped shared, at {@code path} and {@code offset}),
     *                 {@code kernel} (re-created by the kernel), {@code shm} (a shared memory object saved
     *                 once per domain in {@code shm}), {@code shared} (another shared mapping: not saved),
     *                 {@code none}
     * @param shm      for {@code shm}: the image file holding the object ({@link ImageFormat#shmFile}),
     *                 the area mapping it from byte {@code offset} on; null otherwise
     */
    public record Area(long start, long end, String perms, long offset, int devMajor, int devMinor, long inode,
                       String path, String contents, String shm) {

        public Area(long start, long end, String perms, long offset, int devMajor, int devMinor, long inode,
                    String path, String contents) {
            this(start, end, perms, offset, devMajor, devMinor, inode, path, contents, null);
        }
    }
}
