package io.hotvirt.checkpoint.restore;

import com.sun.jna.Memory;
import io.hotvirt.checkpoint.ProcessCheckpoint;
import io.hotvirt.checkpoint.image.ImageFormat;
import io.hotvirt.checkpoint.image.NodeKeyStore;
import io.hotvirt.checkpoint.image.PageIndexReader;
import io.hotvirt.checkpoint.image.PageKind;
import io.hotvirt.checkpoint.image.PageRun;
import io.hotvirt.checkpoint.image.ProcessMetadata;
import io.hotvirt.checkpoint.testing.PatternWorkload;
import io.hotvirt.linux.proc.MemoryMapping;
import io.hotvirt.linux.proc.Procfs;
import io.hotvirt.linux.ptrace.ProcessMemory;
import io.hotvirt.linux.ptrace.SyscallInjector;
import io.hotvirt.linux.ptrace.Tracer;
import io.hotvirt.linux.testing.KernelTestTimeout;
import io.hotvirt.linux.testing.Privileged;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import static org.junit.Assert.assertArrayEquals;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;
import static org.junit.Assert.fail;

/** Saved areas mapped back into a husk at their addresses, zero-copy and copying, on the real kernel. */
public class MemoryRestorerKernelTest {

    /** Every test here traces processes: a hung tracee fails the test, not the build. */
    @Rule(order = KernelTestTimeout.ORDER)
    public final KernelTestTimeout timeout = KernelTestTimeout.seconds(60);

    private static final int PAGE = ImageFormat.PAGE_SIZE;

    @Rule
    public final TemporaryFolder tmp = new TemporaryFolder();

    /**
     * A 16-page read-only area whose image holds pages 2–5 (at file offset 3 pages) and 9: those come
     * back byte for byte, the rest read as zeros, and the area ends up r--p — in both modes.
     */
    @Test
    public void holesReadAsZerosAndProtectionsAreRestored() throws Exception {
        Privileged.assume("root (ptrace)");
        Path pagesFile = tmp.getRoot().toPath().resolve("pages.img");
        byte[] file = new byte[8 * PAGE];
        for (int i = 0; i < file.length; i++) {
            file[i] = (byte) (i * 31 + i / PAGE);
        }
        try (FileChannel out = FileChannel.open(pagesFile, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
            out.write(ByteBuffer.wrap(file));
        }
        for (MemoryRestorer.Mode mode : MemoryRestorer.Mode.values()) {
            try (Tracer tracer = Tracer.start("restore-test");
                 Husk husk = Husk.start(tracer, HuskBinary.path(), 5_000)) {
                int h = husk.pid();
                long scratch = husk.injector().mapScratch(h, MemoryRestorer.SCRATCH_BYTES);
                long start = freeRange(h, scratch, 16L * PAGE);
                ProcessMetadata.Area area = new ProcessMetadata.Area(start, start + 16L * PAGE, "r--p", 0, 0, 0, 0, "",
                        "pages");
                List<PageRun> runs = List.of(new PageRun(start + 2L * PAGE, 4, 3L * PAGE, PageKind.RESIDENT),
                        new PageRun(start + 9L * PAGE, 1, 0, PageKind.RESIDENT));
                try (MemoryRestorer r = new MemoryRestorer(husk.injector(), h, scratch)) {
                    MemoryRestorer.Result res = r.restore(area, runs, pagesFile, mode);
                    assertEquals(mode + ": " + res, 5, res.imagePages());
                }
                byte[] got = ProcessMemory.read(h, start, 16 * PAGE);
                byte[] want = new byte[16 * PAGE];
                System.arraycopy(file, 3 * PAGE, want, 2 * PAGE, 4 * PAGE);
                System.arraycopy(file, 0, want, 9 * PAGE, PAGE);
                assertArrayEquals(mode.toString(), want, got);
                List<MemoryMapping> in = Procfs.maps(h).stream().filter(m -> m.start() < start + 16L * PAGE
                        && m.end() > start).toList();
                assertTrue(mode + ": " + in, in.stream().allMatch(m -> m.perms().equals("r--p")));
                assertEquals(mode + ": " + in, 16L * PAGE, in.stream().mapToLong(MemoryMapping::size).sum());
                assertTrue(mode + ": no fd left open: " + Procfs.fds(h), Procfs.fds(h).stream()
                        .noneMatch(f -> f.target().endsWith("pages.img")));
            }
        }
    }

    /**
     * Into a process recreated with a wanted PID (clone3 set_tid from the husk), not the husk: the
     * pages land in the new process only.
     */
    @Test
    public void intoAProcessRecreatedWithItsPid() throws Exception {
        Privileged.assume("root (ptrace, clone3 set_tid)");
        Path pagesFile = tmp.getRoot().toPath().resolve("pages.img");
        byte[] file = new byte[4 * PAGE];
        Arrays.fill(file, (byte) 0x5a);
        try (FileChannel out = FileChannel.open(pagesFile, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
            out.write(ByteBuffer.wrap(file));
        }
        try (Tracer tracer = Tracer.start("restore-test");
             Husk husk = Husk.start(tracer, HuskBinary.path(), 5_000)) {
            int h = husk.pid();
            long scratch = husk.injector().mapScratch(h, MemoryRestorer.SCRATCH_BYTES);
            int child = new PidCreator(tracer).create(husk.injector(), h, scratch, PidCreatorKernelTest.freePid());
            try {
                // the child inherited the husk's scratch mapping at the same address
                SyscallInjector inChild = new SyscallInjector(tracer, child);
                long start = freeRange(child, scratch, 4L * PAGE);
                ProcessMetadata.Area area = new ProcessMetadata.Area(start, start + 4L * PAGE, "rw-p", 0, 0, 0, 0, "",
                        "pages");
                try (MemoryRestorer r = new MemoryRestorer(inChild, child, scratch)) {
                    r.restore(area, List.of(new PageRun(start, 4, 0, PageKind.RESIDENT)), pagesFile,
                            MemoryRestorer.Mode.ZERO_COPY);
                }
                assertArrayEquals(file, ProcessMemory.read(child, start, file.length));
                assertTrue("the husk got the mapping too", Procfs.maps(h).stream().noneMatch(m -> m.start() == start));
            } finally {
                new PidCreator(tracer).destroy(husk.injector(), h, child);
            }
        }
    }

    /**
     * The pattern workload's buffer, dumped by the checkpoint, killed, and mapped back into a fresh
     * husk at the same address, both ways: every word equals its pattern. Prints the times.
     */
    @Test
    public void aDumpedBufferComesBackAtItsAddressBothWays() throws Exception {
        Privileged.assume("root (ptrace, process_vm_readv, pagemap)");
        int mib = Integer.getInteger("hotvirt.restoreTestMib", 128);
        long seed = 0x7e57ab1e5eedL;
        Path dir = tmp.getRoot().toPath();
        long address;
        long length;
        int dumpedPid;
        Path image;
        long dumpMillis;
        try (PatternWorkload w = PatternWorkload.start(mib, seed, List.of(), dir, 60_000)) {
            long t = System.nanoTime();
            ProcessCheckpoint.Outcome o = ProcessCheckpoint.dump(w.pid, dir.resolve("images"), "restore",
                    new NodeKeyStore(dir.resolve("key")), "test", w.stopper());
            dumpMillis = (System.nanoTime() - t) / 1_000_000;
            address = w.address;
            length = w.length;
            dumpedPid = w.pid;
            image = o.image();
        } // the workload is gone: only the image is left
        List<PageRun> runs = new ArrayList<>();
        long end = address + length;
        PageIndexReader.forEach(image.resolve(ImageFormat.pageIndexFile(dumpedPid)), run -> {
            if (run.vaddr() < end && run.end() > address) {
                runs.add(run);
            }
        });
        Path pagesFile = image.resolve(ImageFormat.pagesFile(dumpedPid));
        ProcessMetadata.Area area = new ProcessMetadata.Area(address, end, "rw-p", 0, 0, 0, 0, "", "pages");
        StringBuilder report = new StringBuilder(String.format("restore of a %d MiB buffer (%d runs, dump %d ms):%n",
                mib, runs.size(), dumpMillis));
        for (MemoryRestorer.Mode mode : MemoryRestorer.Mode.values()) {
            try (Tracer tracer = Tracer.start("restore-test");
                 Husk husk = Husk.start(tracer, HuskBinary.path(), 5_000)) {
                int h = husk.pid();
                long scratch = husk.injector().mapScratch(h, MemoryRestorer.SCRATCH_BYTES);
                for (MemoryMapping m : Procfs.maps(h)) {
                    if (m.start() < end && m.end() > address) {
                        fail("the husk's " + m + " is in the way of the buffer at " + Long.toHexString(address)
                                + " (address space layout chance): run again");
                    }
                }
                MemoryRestorer.Result res;
                try (MemoryRestorer r = new MemoryRestorer(husk.injector(), h, scratch)) {
                    res = r.restore(area, runs, pagesFile, mode);
                }
                assertEquals(length / PAGE, res.imagePages());
                long t = System.nanoTime();
                long bad = verify(h, address, length, seed);
                long verifyMillis = (System.nanoTime() - t) / 1_000_000;
                assertEquals(mode + ": first wrong word at 0x" + Long.toHexString(bad), -1, bad);
                report.append(String.format("  %-9s restore %6.1f ms (%d mmaps), then first read of every page %5d ms"
                                + " -> %7.1f ms to a fully readable buffer%n", mode, res.nanos() / 1e6, res.mappings(),
                        verifyMillis, res.nanos() / 1e6 + verifyMillis));
            }
        }
        System.out.print(report);
    }

    /** -1 if every word of the range in process {@code pid} is (its address XOR seed), else the first bad address. */
    private static long verify(int pid, long address, long length, long seed) throws IOException {
        int chunk = 8 << 20;
        Memory local = new Memory(chunk);
        for (long at = address; at < address + length; at += chunk) {
            int n = (int) Math.min(chunk, address + length - at);
            ProcessMemory.read(pid, at, local, n);
            ByteBuffer b = local.getByteBuffer(0, n).order(ByteOrder.nativeOrder());
            for (int i = 0; i < n; i += 8) {
                if (b.getLong(i) != ((at + i) ^ seed)) {
                    return at + i;
                }
            }
        }
        return -1;
    }

    /** An address range of {@code length} 256 MiB below the scratch area (top-down mmap region), not mapped. */
    private static long freeRange(int pid, long scratch, long length) throws IOException {
        long start = (scratch - (1L << 28)) & ~(PAGE - 1L);
        for (MemoryMapping m : Procfs.maps(pid)) {
            if (m.start() < start + length && m.end() > start) {
                fail("test range 0x" + Long.toHexString(start) + " is taken by " + m);
            }
        }
        return start;
    }
}
