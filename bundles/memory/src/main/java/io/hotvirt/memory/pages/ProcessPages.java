package io.hotvirt.memory.pages;

import java.util.List;

/** One process's memory areas with their page counts, and the process total. */
public record ProcessPages(int pid, String command, List<MappingPages> mappings, PageCounts total) {

    public ProcessPages {
        mappings = List.copyOf(mappings);
    }
}
