package io.hotvirt.memory.pages;

import io.hotvirt.linux.proc.MemoryMapping;
import io.hotvirt.linux.proc.Pagemap;
import io.hotvirt.linux.proc.ProcStat;
import io.hotvirt.linux.proc.Procfs;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.TreeSet;

/**
 * Reads a process's memory areas from /proc/PID/maps and the state of every page from
 * /proc/PID/pagemap in bulk (one pread per {@value #CHUNK_PAGES} pages), and counts pages resident,
 * swapped and not present, anonymous and file-backed. It reads page table entries only: never the
 * pages' contents, and it never brings a swapped page back in. The kernel's own areas ([vdso],
 * [vvar], [vsyscall]) are left out, as a checkpoint leaves them out.
 */
public final class PageCounter {

    /** Pages per read: 512 KiB of entries for 256 MiB of address space. */
    static final int CHUNK_PAGES = 64 * 1024;

    /** Receives the raw entries of an area, chunk by chunk, in address order. */
    public interface EntryVisitor {
        void visit(MemoryMapping mapping, long firstAddress, long[] raw, int count);
    }

    private final long pageSize = Procfs.pageSize();

    public long pageSize() {
        return pageSize;
    }

    /**
     * Counts one process.
     *
     * @throws IOException if the process does not exist (any more) or its pagemap cannot be read
     */
    public ProcessPages count(int pid) throws IOException {
        return count(pid, null);
    }

    /** Counts one process, and hands every chunk of raw entries to {@code visitor} (may be null). */
    public ProcessPages count(int pid, EntryVisitor visitor) throws IOException {
        String command = Procfs.stat(pid).map(ProcStat::comm).orElse("?");
        List<MemoryMapping> maps = Procfs.maps(pid);
        List<MappingPages> out = new ArrayList<>(maps.size());
        PageCounts total = PageCounts.ZERO;
        try (Pagemap pagemap = Procfs.pagemap(pid)) {
            long[] raw = null;
            for (MemoryMapping m : maps) {
                if (m.isKernelArea() || m.start() < 0) {
                    continue;
                }
                PageTally tally = new PageTally();
                long pages = m.pages(pageSize);
                for (long done = 0; done < pages; ) {
                    int n = (int) Math.min(CHUNK_PAGES, pages - done);
                    long at = m.start() + done * pageSize;
                    raw = pagemap.readRaw(at, n);
                    tally.add(raw, n);
                    if (visitor != null) {
                        visitor.visit(m, at, raw, n);
                    }
                    done += n;
                }
                PageCounts counts = tally.counts();
                out.add(new MappingPages(m, counts));
                total = total.plus(counts);
            }
        }
        return new ProcessPages(pid, command, out, total);
    }

    /**
     * Counts every process of a domain. A process that exits while it is read is listed in
     * {@link DomainPages#vanished()}; other errors (permissions) are thrown.
     */
    public DomainPages count(Collection<Integer> pids) throws IOException {
        List<ProcessPages> processes = new ArrayList<>();
        List<Integer> vanished = new ArrayList<>();
        PageCounts total = PageCounts.ZERO;
        for (int pid : new TreeSet<>(pids)) {
            if (Procfs.stat(pid).map(ProcStat::dead).orElse(true)) {
                vanished.add(pid); // gone, or a zombie: it has no memory left
                continue;
            }
            ProcessPages p;
            try {
                p = count(pid);
            } catch (IOException e) {
                if (Procfs.stat(pid).map(s -> !s.dead()).orElse(false)) {
                    throw e;
                }
                vanished.add(pid);
                continue;
            }
            processes.add(p);
            total = total.plus(p.total());
        }
        return new DomainPages(pageSize, processes, total, vanished);
    }
}
