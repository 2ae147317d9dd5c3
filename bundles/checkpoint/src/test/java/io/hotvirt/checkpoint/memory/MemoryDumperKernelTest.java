package io.hotvirt.checkpoint.memory;

import io.hotvirt.checkpoint.ProcessCheckpoint;
import io.hotvirt.checkpoint.image.DumpStats;
import io.hotvirt.checkpoint.image.ImageVerifier;
import io.hotvirt.checkpoint.image.NodeKeyStore;
import io.hotvirt.checkpoint.testing.PatternWorkload;
import io.hotvirt.checkpoint.testing.TestSwap;
import io.hotvirt.linux.testing.KernelTestTimeout;
import io.hotvirt.linux.testing.Privileged;
import io.hotvirt.linux.cgroup.Cgroups;
import io.hotvirt.linux.cgroup.DomainCgroup;
import io.hotvirt.linux.jna.LibC;
import io.hotvirt.linux.proc.Procfs;
import org.junit.Assume;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.UUID;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

/** The dumper on the real kernel, against the self-checking pattern.c workload. */
public class MemoryDumperKernelTest {

    /** Every test here traces processes: a hung tracee fails the test, not the build. */
    @Rule(order = KernelTestTimeout.ORDER)
    public final KernelTestTimeout timeout = KernelTestTimeout.seconds(60);

    @Rule
    public final TemporaryFolder tmp = new TemporaryFolder();

    @Test
    public void residentPagesAreSavedByteForByte() throws Exception {
        Privileged.assume("root (process_vm_readv and pagemap of another session's process)");
        Path dir = tmp.getRoot().toPath();
        try (PatternWorkload w = PatternWorkload.start(16, 0x5eed1234abcdL, List.of(), dir, 10_000)) {
            NodeKeyStore keys = new NodeKeyStore(dir.resolve("key"));
            ProcessCheckpoint.Outcome o = ProcessCheckpoint.dump(w.pid, dir.resolve("images"), "resident", keys, "test",
                    w.stopper());
            DumpStats s = o.stats();
            assertTrue(s.toString(), s.residentPages() >= w.length / 4096);
            assertEquals(s.toString(), 0, s.swappedPages());
            assertEquals(w.length / 4096, w.verifyImage(o.image()));
            ImageVerifier.Result r = new ImageVerifier(keys).verify(o.image());
            assertTrue(r.toString(), r.ok());
            assertEquals("PASS", w.selfCheck(5000));
        }
    }

    /**
     * A fresh swap file written through the file system (every extent written): every swapped page is
     * read straight from its slot, none swapped in, and the resident set does not grow. The area was
     * seen empty when it was enabled; if a zero-filled page was swapped out anywhere since (a zeromap
     * entry, maybe in this area), the pattern's pages go through the process instead (with room
     * under the limit, else the dump is refused: see the tests below) and this test cannot judge.
     */
    @Test
    public void swappedPagesAreReadFromSwapWithoutSwappingIn() throws Exception {
        long zeroOutBefore = ZeroMap.swpoutZero();
        SwapDump d = dumpSwapped(false, 0);
        if (d == null) {
            return;
        }
        Assume.assumeTrue("a zero-filled page was swapped out as a zeromap entry during the test: " + d.info(),
                ZeroMap.swpoutZero() == zeroOutBefore);
        DumpStats s = d.outcome.stats();
        assertTrue(d.info(), s.swapDirectPages() * 10 >= s.swappedPages() * 9); // most, in practice all
        assertTrue("VmRSS grew by more than the pages read through the process: " + d.info(),
                d.rssAfter - d.rssBefore <= s.swapViaProcessPages() * 4096);
    }

    /**
     * A preallocated swap file (fallocate: unwritten extents, which the file system reads as zeros
     * although the kernel wrote the pages to the device behind them): the pages in those extents can
     * only be read through the process. With room under the memory limit they are, counted, and the
     * image is right byte for byte.
     */
    @Test
    public void swappedPagesInPreallocatedExtentsAreReadThroughTheProcessWithRoomToSpare() throws Exception {
        SwapDump d = dumpSwapped(true, 512L << 20);
        if (d == null) {
            return;
        }
        DumpStats s = d.outcome.stats();
        Assume.assumeTrue("every slot was in a written extent by the time of the dump: " + d.info(),
                s.swapViaProcessPages() > 0);
        assertTrue(d.info(), d.outcome.swapFallbackReasons().stream().anyMatch(r -> r.contains("unwritten")));
        assertTrue("VmRSS grew by more than the pages read through the process: " + d.info(),
                d.rssAfter - d.rssBefore <= s.swapViaProcessPages() * 4096);
    }

    /**
     * The same at the limit: swapping pages in through the process could get the workload
     * OOM-killed (it did, about every other run, before this was refused), so the checkpoint stops
     * with an error that names the cgroup and the fix, leaves no image, and the workload runs on
     * unharmed.
     */
    @Test
    public void swappingInThroughAProcessAtItsMemoryLimitIsRefused() throws Exception {
        dumpSwapped(true, 0);
    }

    private record SwapDump(ProcessCheckpoint.Outcome outcome, long rssBefore, long rssAfter, TestSwap swap) {
        String info() {
            return outcome.stats() + " canary=" + outcome.swapCanary() + " fallbacks=" + outcome.swapFallbackReasons()
                    + " VmRSS " + rssBefore + " -> " + rssAfter + " swap file unwritten pages " + swap.unwrittenPages;
        }
    }

    /**
     * Dumps a 96 MiB pattern workload held to 32 MiB by a memory cgroup, with a fresh 256 MiB swap
     * file, checks the image byte for byte and the workload afterwards, and cleans up swap file,
     * cgroup and workload whatever happens. Null when skipped, or when the dump was refused for want of
     * room under the limit (only a preallocated swap file at the limit needs room; then the refusal is
     * checked).
     *
     * @param limitBeforeDump a memory limit set once the workload is partly swapped out (0: keep 32 MiB)
     */
    private SwapDump dumpSwapped(boolean preallocated, long limitBeforeDump) throws Exception {
        Privileged.assume("root (swapon, cgroups, pagemap swap entries)");
        Cgroups cgroups = Cgroups.detect();
        Privileged.assume("a memory cgroup controller", cgroups.mounts().containsKey("memory"));
        Path dir = tmp.getRoot().toPath();
        TestSwap swap = TestSwap.enable(256, preallocated);
        Privileged.assume("swapon on /var/tmp or /work (" + TestSwap.lastError + ")", swap != null);
        DomainCgroup cg = null;
        PatternWorkload w = null;
        try {
            cg = cgroups.create("hotvirt-cptest-" + UUID.randomUUID().toString().substring(0, 8));
            cg.write("memory", "memory.swappiness", "60");
            cg.write("memory", "memory.limit_in_bytes", Long.toString(32L << 20));
            w = PatternWorkload.start(96, 0x0ddba11cafeL, cg.procsFiles(), dir, 20_000);
            long swappedBytes = Procfs.status(w.pid).orElseThrow().vmSwapBytes();
            assertTrue("expected part of the 96 MiB buffer in swap, VmSwap=" + swappedBytes, swappedBytes > 32L << 20);

            if (limitBeforeDump > 0) {
                cg.write("memory", "memory.limit_in_bytes", Long.toString(limitBeforeDump)); // pages stay in swap
            }
            if (limitBeforeDump > 0) {
                cg.write("memory", "memory.limit_in_bytes", Long.toString(limitBeforeDump)); // pages stay in swap
            }
            NodeKeyStore keys = new NodeKeyStore(dir.resolve("key"));
            DomainCgroup frozen = cg;
            PatternWorkload work = w;
            long[] rss = new long[2];
            ProcessCheckpoint.Stopper stopper = new ProcessCheckpoint.Stopper() {
                        @Override
                        public void stop() throws IOException {
                            frozen.freeze();
                            rss[0] = Procfs.status(work.pid).orElseThrow().vmRssBytes();
                        }

                        @Override
                        public void resume() throws IOException {
                            rss[1] = Procfs.status(work.pid).orElseThrow().vmRssBytes();
                            frozen.thaw();
                        }
                    };
            boolean atTheLimit = preallocated && limitBeforeDump == 0 && swap.unwrittenPages > 0;
            if (atTheLimit) {
                ProcessCheckpoint.Outcome unexpected;
                try {
                    unexpected = ProcessCheckpoint.dump(work.pid, dir.resolve("images"), "refused", keys, "test", stopper);
                } catch (IOException e) {
                    assertTrue(e.getMessage(), e.getMessage().contains(frozen.path())
                            && e.getMessage().contains("fallocate"));
                    assertTrue(!Files.exists(dir.resolve("images/refused")));
                    assertEquals(rss[0], rss[1]);
                    assertEquals("PASS", w.selfCheck(10_000));
                    return null;
                }
                assertEquals("swapped in at the limit: " + unexpected.stats(), 0,
                        unexpected.stats().swapViaProcessPages());
                Assume.assumeTrue("every slot was in a written extent by the time of the dump", false);
            }
            ProcessCheckpoint.Outcome o = ProcessCheckpoint.dump(w.pid, dir.resolve("images"), "swapped", keys, "test",
                    stopper);
            SwapDump d = new SwapDump(o, rss[0], rss[1], swap);
            DumpStats s = o.stats();
            System.out.println("swap dump (" + (preallocated ? "preallocated" : "written") + " swap file): " + d.info());
            assertTrue(d.info(), s.swappedPages() * 4096 >= (32L << 20));
            assertEquals(d.info(), s.swappedPages(), s.swapDirectPages() + s.swapViaProcessPages());
            assertEquals(w.length / 4096, w.verifyImage(o.image()));
            ImageVerifier.Result r = new ImageVerifier(keys).verify(o.image());
            assertTrue(r.toString(), r.ok());
            assertEquals("PASS", w.selfCheck(10_000));
            return d;
        } finally {
            TestSwap.cleanUp(w, cg, swap);
        }
    }
}
