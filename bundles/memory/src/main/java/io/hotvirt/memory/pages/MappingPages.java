package io.hotvirt.memory.pages;

import io.hotvirt.linux.proc.MemoryMapping;

/** One memory area of a process with its page counts. */
public record MappingPages(MemoryMapping mapping, PageCounts counts) {

    /** {@code anon}, {@code heap}, {@code stack}, {@code shm} (shared anonymous), {@code file}, {@code file/shared}. */
    public String kind() {
        MemoryMapping m = mapping;
        if (m.isHeap()) {
            return "heap";
        }
        if (m.isStack()) {
            return "stack";
        }
        if (m.isAnonymous()) {
            return m.isShared() ? "shm" : "anon";
        }
        if (m.isFile()) {
            return m.isShared() ? "file/shared" : "file";
        }
        return m.path().isEmpty() ? "anon" : m.path();
    }
}
