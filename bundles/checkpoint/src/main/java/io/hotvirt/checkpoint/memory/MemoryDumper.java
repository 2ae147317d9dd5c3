package io.hotvirt.checkpoint.memory;

import io.hotvirt.checkpoint.image.DumpStats;
import io.hotvirt.checkpoint.image.ImageFile;
import io.hotvirt.checkpoint.image.ImageFormat;
import io.hotvirt.checkpoint.image.PageIndexWriter;
import io.hotvirt.checkpoint.image.PageKind;
import io.hotvirt.checkpoint.image.PageRun;
import io.hotvirt.checkpoint.image.ProcessMetadata;
import io.hotvirt.linux.proc.MemoryMapping;
import io.hotvirt.linux.proc.PageEntry;
import io.hotvirt.linux.proc.Pagemap;
import io.hotvirt.linux.proc.Procfs;
import io.hotvirt.linux.process.ProcessMadvise;
import io.hotvirt.linux.ptrace.ProcessMemory;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Saves the memory of one stopped process by following its page table. The caller stops the
 * process (freezer cgroup or ptrace) and resumes it; nothing here changes the process.
 *
 * <p>Pass 1 walks every private area's pagemap in chunks and copies resident anonymous pages with
 * process_vm_readv, coalesced into runs of up to {@link #BUFFER_PAGES}; swapped pages are only
 * noted (address and pagemap entry, 16 bytes each). Pass 2 reads the noted pages straight from
 * their swap area with O_DIRECT, runs of consecutive slots in one read, so the process's resident
 * set does not grow. Where that is impossible ({@link SwapAreas#whyNot}), where the slot lies in a
 * preallocated (unwritten) extent of a swap file, which the file system reads as zeros
 * ({@link DirectSwapReader#onDisk}), or where the entry changed while being read, the page is read
 * through the process instead — which swaps it in — and counted in
 * {@link DumpStats#swapViaProcessPages()}.
 *
 * <p>Since 6.12 the kernel does not write a zero-filled page to swap: it marks the slot in the area's
 * zeromap, and the slot keeps on disk whatever an earlier page left there (proven on 6.18 by
 * ZeroMapKernelTest: pages zeroed and swapped out again to their old slots read back as the old
 * data). User space cannot see the zeromap, so a slot read as zeros is right, but one read as
 * anything else may be a zero page's stale slot. Unless the area can hold no zeromap entry
 * ({@link ZeroMap#possible}: /proc/vmstat swpout_zero absent or 0, or unchanged since the area was
 * last seen empty), such runs are read through the process as well and pushed straight back. The
 * cost: on a host where zero pages keep being swapped out — most 6.12+ hosts that swap at all —
 * only swapped zero pages are read directly; every other swapped page is swapped in and out
 * again, and the dump's fallback reasons say so.
 *
 * <p>Shared memory objects ({@code shm} areas) are only named here, in {@link ProcessMetadata.Area#shm()}:
 * {@link SharedMemoryDumper} saves each once per image, whichever processes map it.
 *
 * <p>All page data passes through one native buffer to the page file: nothing of it is held on
 * the Java heap, whatever the process's size.
 */
public final class MemoryDumper implements AutoCloseable {

    static final int PAGE = AlignedBuffer.ALIGN;
    static final int BUFFER_PAGES = 256; // 1 MiB per read and write
    private static final int PAGEMAP_CHUNK = 16 * 1024; // 128 KiB of entries per pread

    private final int pid;
    private final ImageFile pages;
    private final PageIndexWriter index;
    private final SwapAreas swap;
    private final AlignedBuffer buffer = new AlignedBuffer((long) BUFFER_PAGES * PAGE);
    private FileChannel procMem; // for areas process_vm_readv refuses (not readable)
    private SwapInBudget budget;  // read at the first page that must be swapped in through the process

    private final Map<String, Boolean> zeroMapPossible = new HashMap<>(); // per swap area
    private long resident;
    private long swapDirect;
    private long swapViaProcess;
    private long fileSkipped;
    private final List<String> fallbackReasons = new ArrayList<>();
    private final List<String> restoredFrom = new ArrayList<>();
    private java.util.function.LongConsumer onPages = n -> { };

    public MemoryDumper(int pid, ImageFile pages, PageIndexWriter index, SwapAreas swap) {
        this.pid = pid;
        this.pages = pages;
        this.index = index;
        this.swap = swap;
    }

    /** Called with the number of pages after each run written (for progress reports). */
    public MemoryDumper onPages(java.util.function.LongConsumer listener) {
        this.onPages = listener == null ? n -> { } : listener;
        return this;
    }

    /** Dumps every area and returns them as the image describes them. */
    public List<ProcessMetadata.Area> dump() throws IOException {
        List<MemoryMapping> maps = Procfs.maps(pid);
        List<ProcessMetadata.Area> areas = new ArrayList<>();
        SwappedPages swapped = new SwappedPages();
        try (Pagemap pm = Procfs.pagemap(pid)) {
            for (MemoryMapping m : maps) {
                String contents = AreaPolicy.contents(m);
                String shm = contents.equals(AreaPolicy.SHM)
                        ? ImageFormat.shmFile(m.devMajor(), m.devMinor(), m.inode()) : null;
                boolean fromImage = contents.equals(AreaPolicy.PAGES) && AreaPolicy.savedWhole(m);
                if (fromImage) {
                    noteRestoredFrom(m.path());
                    areas.add(new ProcessMetadata.Area(m.start(), m.end(), m.perms(), 0, 0, 0, 0, "", contents, null));
                } else {
                    areas.add(new ProcessMetadata.Area(m.start(), m.end(), m.perms(), m.offset(), m.devMajor(),
                            m.devMinor(), m.inode(), m.path(), contents, shm));
                }
                if (contents.equals(AreaPolicy.PAGES)) {
                    dumpResident(pm, m, swapped, fromImage);
                }
            }
            if (swapped.size() > 0) {
                awaitWriteback();
            }
            dumpSwapped(pm, maps, swapped);
        }
        return areas;
    }

    /** The statistics so far (times are the caller's to fill in). */
    public DumpStats stats() {
        return new DumpStats(resident, swapDirect + swapViaProcess, swapDirect, swapViaProcess, fileSkipped,
                pagesBytes(), 0, 0);
    }

    /** Why swapped pages were read through the process, one line per distinct reason. */
    public List<String> fallbackReasons() {
        return List.copyOf(fallbackReasons);
    }

    private long pagesBytes() {
        return (resident + swapDirect + swapViaProcess) * PAGE;
    }

    // ---- pass 1: resident pages

    /**
     * @param whole every page not in swap is saved, present or not (an area mapped from an image's
     *              page file: its pages that were never touched are only in that file)
     */
    private void dumpResident(Pagemap pm, MemoryMapping m, SwappedPages swapped, boolean whole) throws IOException {
        long runStart = -1;
        int runPages = 0;
        for (long at = m.start(); at < m.end(); ) {
            int n = (int) Math.min(PAGEMAP_CHUNK, (m.end() - at) / PAGE);
            long[] raw = pm.readRaw(at, n);
            for (int i = 0; i < n; i++) {
                long address = at + (long) i * PAGE;
                PageEntry e = new PageEntry(address, raw[i]);
                boolean save = whole ? !e.swapped() : e.present() && AreaPolicy.savePresent(e);
                if (save && runPages > 0 && runStart + (long) runPages * PAGE == address && runPages < BUFFER_PAGES) {
                    runPages++;
                    continue;
                }
                if (runPages > 0) {
                    copyResident(m, runStart, runPages);
                    runPages = 0;
                }
                if (save) {
                    runStart = address;
                    runPages = 1;
                } else if (e.swapped()) {
                    swapped.add(address, raw[i]); // in a private area a swap entry is always anonymous data
                } else if (e.present()) {
                    fileSkipped++;
                }
            }
            at += (long) n * PAGE;
        }
        if (runPages > 0) {
            copyResident(m, runStart, runPages);
        }
    }

    private void copyResident(MemoryMapping m, long address, int n) throws IOException {
        long offset = pages.size();
        readThroughProcess(m, address, n);
        pages.writeFully(buffer.view(n * PAGE));
        index.add(new PageRun(address, n, offset, PageKind.RESIDENT));
        resident += n;
        onPages.accept(n);
    }

    // ---- pass 2: swapped pages

    private void dumpSwapped(Pagemap pm, List<MemoryMapping> maps, SwappedPages swapped) throws IOException {
        int i = 0;
        while (i < swapped.size()) {
            PageEntry first = swapped.entry(i);
            DirectSwapReader reader = swap.reader(first.swapType()).orElse(null);
            boolean onDisk = reader != null && reader.onDisk(first.swapOffset());
            int n = 1;
            while (i + n < swapped.size() && n < BUFFER_PAGES) {
                PageEntry next = swapped.entry(i + n);
                if (next.address() != first.address() + (long) n * PAGE || next.swapType() != first.swapType()
                        || next.swapOffset() != first.swapOffset() + n
                        || (reader != null && reader.onDisk(next.swapOffset()) != onDisk)) {
                    break;
                }
                n++;
            }
            copySwapped(pm, maps, swapped, i, n, reader, onDisk);
            i += n;
        }
    }

    /** Asked with the domain stopped: none of its slots can become a zeromap entry meanwhile. */
    private boolean zeroMapPossible(DirectSwapReader reader) throws IOException {
        Boolean possible = zeroMapPossible.get(reader.area().path());
        if (possible == null) {
            possible = ZeroMap.possible(reader.area());
            zeroMapPossible.put(reader.area().path(), possible);
        }
        return possible;
    }

    private void copySwapped(Pagemap pm, List<MemoryMapping> maps, SwappedPages swapped, int from, int n,
                             DirectSwapReader reader, boolean onDisk) throws IOException {
        PageEntry first = swapped.entry(from);
        long offset = pages.size();
        boolean direct;
        if (reader == null) {
            noteFallback(swap.whyNot(first.swapType()));
            direct = false;
        } else if (!onDisk) {
            noteFallback("slots in preallocated (unwritten) extents of swap file " + reader.area().path()
                    + ": the file system reads them as zeros, the pages are only on the device behind it");
            direct = false;
        } else {
            direct = readDirect(pm, swapped, from, n, reader);
            if (direct && zeroMapPossible(reader) && !AlignedBuffer.isZero(buffer.view(n * PAGE))) {
                noteFallback(ZeroMap.FALLBACK_REASON);
                direct = false;
            }
        }
        if (direct) {
            swapDirect += n;
        } else {
            checkSwapInBudget(swapped.size() - from);
            readThroughProcess(areaOf(maps, first.address()), first.address(), n);
            swapViaProcess += n;
            pushBackToSwap(first.address(), n);
        }
        pages.writeFully(buffer.view(n * PAGE));
        index.add(new PageRun(first.address(), n, offset, PageKind.SWAPPED));
        onPages.accept(n);
    }

    /** Reads a run from its swap area; false (with the reason noted) when it must go through the process. */
    private boolean readDirect(Pagemap pm, SwappedPages swapped, int from, int n, DirectSwapReader reader)
            throws IOException {
        PageEntry first = swapped.entry(from);
        try {
            reader.read(first.swapOffset(), n, buffer.pointer());
        } catch (IOException e) {
            noteFallback(e.getMessage());
            return false;
        }
        // The slot is only ours to read if the page still lives there: a page swapped in (or moved)
        // meanwhile has a different entry, and its slot may already hold another page.
        long[] now = pm.readRaw(first.address(), n);
        for (int k = 0; k < n; k++) {
            if (now[k] != swapped.raw(from + k)) {
                noteFallback("a page's pagemap entry changed while its slot was read");
                return false;
            }
        }
        return true;
    }

    /** Refuses, before the first page is swapped in through the process, when its memcg has no room. */
    private void checkSwapInBudget(long pagesLeft) throws IOException {
        if (budget == null) {
            budget = SwapInBudget.of(pid);
        }
        if (!budget.allowed()) {
            throw new IOException("process " + pid + ": " + pagesLeft + " swapped pages can only be read through the"
                    + " process (" + String.join("; ", fallbackReasons) + "), which swaps them in and charges its"
                    + " memory cgroup " + budget.cgroup() + ", which has only " + (budget.headroom() >> 20)
                    + " MiB free under its limit (" + (SwapInBudget.MIN_HEADROOM >> 20) + " MiB needed): the kernel"
                    + " could OOM-kill the workload, so the checkpoint stops and the domain runs on. Give the domain"
                    + " room (memory:set NAME --max), or swap to a partition or a swap file written in full"
                    + " (dd, not fallocate), which checkpoints read directly");
        }
    }

    /**
     * Reading a swapped page through the process swaps it in and charges it to the process's memory
     * cgroup: near the limit, a few MiB of that make the kernel OOM-kill the (frozen) workload. Push
     * the run straight back with MADV_PAGEOUT — cheap, as the swap-cache copy still owns its slot —
     * so the resident set is back where it was. Best effort: a refusal only costs memory.
     */
    private void pushBackToSwap(long address, int n) {
        try {
            ProcessMadvise.advise(pid, List.of(new ProcessMadvise.Range(address, (long) n * PAGE)),
                    ProcessMadvise.MADV_PAGEOUT);
        } catch (IOException | RuntimeException e) {
            noteFallback("pages read through the process stay resident: MADV_PAGEOUT failed: " + e.getMessage());
        }
    }

    private void noteRestoredFrom(String pageFile) {
        String note = "areas mapped privately from " + pageFile + " are saved in full, as anonymous memory: no"
                + " file will hold their pages at restore (deleted, or another image's page file)";
        if (!restoredFrom.contains(note)) {
            restoredFrom.add(note);
        }
    }

    /** Notes on areas a zero-copy restore had mapped from another image (saved in full). */
    public List<String> notes() {
        return List.copyOf(restoredFrom);
    }

    private void noteFallback(String reason) {
        if (reason != null && !fallbackReasons.contains(reason)) {
            fallbackReasons.add(reason);
        }
    }

    /**
     * A page unmapped by reclaim has its swap entry in the page table before its slot is written:
     * until the write completes the slot holds stale data. Wait (bounded) until no writeback is in
     * flight. This narrows, but does not close, the window: a page still dirty in the swap cache
     * (reclaim unmapped it but did not submit it) is not visible from user space (it did not show
     * up in the kernel tests). Zero-filled pages, never written (the zeromap), are handled apart.
     */
    private static void awaitWriteback() throws IOException {
        long deadline = System.currentTimeMillis() + 2000;
        while (System.currentTimeMillis() < deadline) {
            String line = java.nio.file.Files.readAllLines(Path.of("/proc/meminfo")).stream()
                    .filter(l -> l.startsWith("Writeback:")).findFirst().orElse("Writeback: 0 kB");
            if (line.split("\\s+")[1].equals("0")) {
                return;
            }
            try {
                Thread.sleep(5);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    // ---- reading through the process

    private void readThroughProcess(MemoryMapping m, long address, int n) throws IOException {
        long length = (long) n * PAGE;
        if (m == null || m.readable()) {
            ProcessMemory.read(pid, address, buffer.pointer(), length);
            return;
        }
        // process_vm_readv honours protections; /proc/PID/mem reads PROT_NONE pages too (FOLL_FORCE)
        if (procMem == null) {
            procMem = FileChannel.open(Path.of("/proc", Integer.toString(pid), "mem"), StandardOpenOption.READ);
        }
        ByteBuffer view = buffer.view((int) length);
        while (view.hasRemaining()) {
            if (procMem.read(view, address + view.position()) <= 0) {
                throw new IOException("cannot read /proc/" + pid + "/mem at 0x" + Long.toHexString(address));
            }
        }
    }

    private static MemoryMapping areaOf(List<MemoryMapping> maps, long address) {
        for (MemoryMapping m : maps) {
            if (m.contains(address)) {
                return m;
            }
        }
        return null;
    }

    @Override
    public void close() throws IOException {
        buffer.close();
        if (procMem != null) {
            procMem.close();
        }
    }

    /** Swapped pages found in pass 1: address and raw entry, 16 bytes each, no page data. */
    static final class SwappedPages {
        private long[] data = new long[1024];
        private int size;

        void add(long address, long raw) {
            if (2 * size + 2 > data.length) {
                data = Arrays.copyOf(data, data.length * 2);
            }
            data[2 * size] = address;
            data[2 * size + 1] = raw;
            size++;
        }

        int size() {
            return size;
        }

        long raw(int i) {
            return data[2 * i + 1];
        }

        PageEntry entry(int i) {
            return new PageEntry(data[2 * i], data[2 * i + 1]);
        }
    }
}
