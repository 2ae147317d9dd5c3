package io.hotvirt.linux.process;

import io.hotvirt.linux.proc.MemoryMapping;
import io.hotvirt.linux.proc.PageEntry;
import io.hotvirt.linux.proc.Pagemap;
import io.hotvirt.linux.proc.Procfs;
import io.hotvirt.linux.testing.Children;
import io.hotvirt.linux.testing.Privileged;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

import java.io.FileOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertThrows;
import static org.junit.Assert.assertTrue;

/**
 * process_madvise on the real kernel. No swap is needed: MADV_PAGEOUT drops a clean page-cache page
 * that only the target maps, so a private file mapping shows pages leaving RAM without any swap.
 */
public class ProcessMadviseTest {

    private static final String MAPPER = String.join("\n",
            "import mmap, sys, time",
            "f = open(sys.argv[1], 'rb')",
            "m = mmap.mmap(f.fileno(), 0, flags=mmap.MAP_PRIVATE, prot=mmap.PROT_READ)",
            "s = sum(m[i] for i in range(0, len(m), 4096))",
            "open(sys.argv[2], 'w').write('ready %d' % s)",
            "time.sleep(100)");

    private static final int FILE_PAGES = 256;

    @Rule
    public final Children children = new Children();
    @Rule
    public final TemporaryFolder tmp = new TemporaryFolder();

    @Test
    public void pageoutDropsTheCleanFilePagesOfAnotherProcess() throws Exception {
        Privileged.assume("root (CAP_SYS_NICE for process_madvise)");
        Path data = tmp.getRoot().toPath().resolve("data.bin");
        try (FileOutputStream out = new FileOutputStream(data.toFile())) {
            out.write(new byte[FILE_PAGES * 4096]);
            out.getFD().sync(); // clean pages: reclaim drops them without writing
        }
        Path ready = tmp.getRoot().toPath().resolve("ready");
        int pid = children.spawn("python3", "-c", MAPPER, data.toString(), ready.toString());
        Children.await("the mapper to touch its file", 10_000, () -> Files.exists(ready) && read(ready).startsWith("ready"));
        MemoryMapping area = Procfs.maps(pid).stream().filter(m -> m.filePath().equals(data.toString()))
                .findFirst().orElseThrow();
        assertEquals(FILE_PAGES, present(pid, area));

        ProcessMadvise.Result result = ProcessMadvise.advise(pid,
                List.of(new ProcessMadvise.Range(area.start(), area.size())), ProcessMadvise.MADV_PAGEOUT);

        assertEquals(area.size(), result.bytesAdvised());
        assertEquals(List.of(), result.skipped());
        assertEquals(1, result.calls());
        int left = present(pid, area);
        assertTrue("after MADV_PAGEOUT " + left + " of " + FILE_PAGES + " file pages are still resident",
                left < FILE_PAGES / 4);
        assertTrue("the process lives on", Procfs.stat(pid).map(s -> !s.dead()).orElse(false));
    }

    @Test
    public void anUnmappedRangeIsSkippedAndTheOthersAreAdvised() throws Exception {
        Privileged.assume("root (CAP_SYS_NICE for process_madvise)");
        int pid = children.spawn("sleep", "100");
        Children.await("sleep to exec", 3000, () -> Procfs.stat(pid).map(s -> s.comm().equals("sleep")).orElse(false));
        List<ProcessMadvise.Range> ranges = new ArrayList<>();
        long anon = 0;
        for (MemoryMapping m : Procfs.maps(pid)) {
            if (m.isAnonymous() && m.isPrivate()) {
                ranges.add(new ProcessMadvise.Range(m.start(), m.size()));
                anon += m.size();
            }
        }
        assertTrue("sleep has private anonymous memory (stack, heap)", anon > 0);
        ProcessMadvise.Range hole = new ProcessMadvise.Range(4096, 4096); // page 1 is never mapped
        ranges.add(0, hole);

        ProcessMadvise.Result result = ProcessMadvise.advise(pid, ranges, ProcessMadvise.MADV_COLD);

        assertEquals(anon, result.bytesAdvised());
        assertEquals(1, result.skipped().size());
        assertEquals(hole, result.skipped().get(0).range());
    }

    @Test
    public void batchesKeepToTheKernelLimits() {
        List<ProcessMadvise.Range> many = new ArrayList<>();
        for (int i = 0; i < 2500; i++) {
            many.add(new ProcessMadvise.Range(i * 8192L, 4096));
        }
        assertEquals(ProcessMadvise.MAX_IOVECS, ProcessMadvise.batch(many, 0).size());
        assertEquals(2500 - 2048, ProcessMadvise.batch(many, 2048).size());
        List<ProcessMadvise.Range> huge = ProcessMadvise.split(List.of(new ProcessMadvise.Range(0, 5L << 30)));
        assertEquals(3, huge.size());
        assertEquals(5L << 30, huge.stream().mapToLong(ProcessMadvise.Range::length).sum());
        assertTrue(huge.stream().allMatch(r -> r.length() <= ProcessMadvise.MAX_BATCH_BYTES));
        assertEquals(1, ProcessMadvise.batch(huge, 0).size());
    }

    @Test
    public void anExitedProcessIsNamed() throws Exception {
        int pid = children.spawn("true");
        Children.waitExit(pid, 3000);
        IOException e = assertThrows(IOException.class, () -> ProcessMadvise.advise(pid,
                List.of(new ProcessMadvise.Range(4096, 4096)), ProcessMadvise.MADV_PAGEOUT));
        assertTrue(e.getMessage(), e.getMessage().contains("does not exist"));
    }

    private static int present(int pid, MemoryMapping area) throws IOException {
        try (Pagemap map = Procfs.pagemap(pid)) {
            return (int) map.read(area).stream().filter(PageEntry::present).count();
        }
    }

    private static String read(Path p) {
        try {
            return Files.readString(p);
        } catch (IOException e) {
            return "";
        }
    }
}
