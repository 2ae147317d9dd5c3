package io.hotvirt.checkpoint.image;

import java.util.List;

/**
 * {@code process-PID.json}: who the process was and its memory areas. Registers, signals, files
 * and the mm fields join this record as the checkpoint grows.
 */
public record ProcessMetadata(int pid, String comm, String exe, List<Area> areas) {

    public ProcessMetadata {
        areas = List.copyOf(areas);
    }

    /**
     * One memory area from /proc/PID/maps, and what the image holds of it.
     *
     * @param contents {@code pages} (its private pages are in the page file), {@code file} (comes
     *                 from the mapped file), {@code kernel} (re-created by the kernel),
     *                 {@code shared} (shared memory: not saved yet), {@code none}
     */
    public record Area(long start, long end, String perms, long offset, int devMajor, int devMinor, long inode,
                       String path, String contents) {
    }
}
