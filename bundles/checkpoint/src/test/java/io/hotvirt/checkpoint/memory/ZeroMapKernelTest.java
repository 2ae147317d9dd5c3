package io.hotvirt.checkpoint.memory;

import io.hotvirt.checkpoint.ProcessCheckpoint;
import io.hotvirt.checkpoint.image.DumpStats;
import io.hotvirt.checkpoint.image.ImageFormat;
import io.hotvirt.checkpoint.image.NodeKeyStore;
import io.hotvirt.checkpoint.image.PageIndexReader;
import io.hotvirt.checkpoint.image.PageRun;
import io.hotvirt.checkpoint.testing.CWorkload;
import io.hotvirt.checkpoint.testing.TestSwap;
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
import java.util.ArrayList;
import java.util.List;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

/**
 * The swap zeromap (6.12+) on the real kernel: zero_swap.c pages its pattern out, reads part of it
 * back in, zero-fills that part and pages it out again, so those zero pages go back to slots that
 * still hold the pattern on disk, marked only in the zeromap. The image must hold zeros for them.
 */
public class ZeroMapKernelTest {

    /** Every test here traces processes: a hung tracee fails the test, not the build. */
    @Rule(order = KernelTestTimeout.ORDER)
    public final KernelTestTimeout timeout = KernelTestTimeout.seconds(120);

    private static final long SEED = 0x7e7e13579bdf2468L;

    @Rule
    public final TemporaryFolder tmp = new TemporaryFolder();

    @Test
    public void zeroPagesInSlotsWithOldDataAreSavedAsZeros() throws Exception {
        Privileged.assume("root (swapon, pagemap swap entries)");
        Path dir = tmp.getRoot().toPath();
        TestSwap swap = TestSwap.enable(256, false);
        Privileged.assume("swapon on /var/tmp or /work (" + TestSwap.lastError + ")", swap != null);
        try {
            long zeroOutBefore = ZeroMap.swpoutZero();
            try (CWorkload w = CWorkload.start(List.of(CWorkload.binary("zero_swap").toString(), "32", "16"),
                    List.of(), dir.resolve("workload.log"), 30_000, x -> x.log().contains("READY "))) {
                String[] f = w.fields("ZERO");
                long address = Long.parseUnsignedLong(f[1].split("=")[1], 16);
                long length = Long.parseLong(f[2].split("=")[1]);
                long zeroLength = Long.parseLong(f[3].split("=")[1]);
                long zeroOut = ZeroMap.swpoutZero() - zeroOutBefore;
                long zeroInBefore = swpinZero();
                ProcessCheckpoint.Outcome o = ProcessCheckpoint.dump(w.pid, dir.resolve("images"), "zero",
                        new NodeKeyStore(dir.resolve("key")), "test", w.stopper());
                DumpStats s = o.stats();
                String info = s + " swpout_zero +" + zeroOut + " swpin_zero +" + (swpinZero() - zeroInBefore)
                        + " fallbacks " + o.swapFallbackReasons();
                System.out.println("zeromap: " + info);
                assertTrue(info, s.swappedPages() >= length / 4096 * 9 / 10);
                int[] wrong = check(o.image(), w.pid, address, length, zeroLength);
                assertEquals("pages with wrong bytes in the image (zero part, pattern part): " + info,
                        "[0, 0]", java.util.Arrays.toString(wrong));
                if (ZeroMap.swpoutZero() >= 0) { // a kernel with the zeromap: the guard must have acted
                    assertTrue(info, o.swapFallbackReasons().contains(ZeroMap.FALLBACK_REASON));
                }
                assertEquals(info, "PASS main", w.selfCheck(30_000));
            }
        } finally {
            swap.close();
        }
    }

    private static long swpinZero() throws IOException {
        return ZeroMap.vmstat("swpin_zero");
    }

    /** Pages of the buffer whose image bytes are wrong: {zero part, pattern part}; fails on a page missing. */
    private static int[] check(Path image, int pid, long address, long length, long zeroLength) throws IOException {
        int[] wrong = new int[2];
        boolean[] seen = new boolean[(int) (length / 4096)];
        List<PageRun> runs = new ArrayList<>();
        PageIndexReader.forEach(image.resolve(ImageFormat.pageIndexFile(pid)), runs::add);
        try (FileChannel pages = FileChannel.open(image.resolve(ImageFormat.pagesFile(pid)))) {
            ByteBuffer b = ByteBuffer.allocate(4096).order(ByteOrder.nativeOrder());
            for (PageRun run : runs) {
                for (long k = 0; k < run.pages(); k++) {
                    long va = run.vaddr() + k * 4096;
                    if (va < address || va >= address + length) {
                        continue;
                    }
                    b.clear();
                    while (b.hasRemaining() && pages.read(b, run.fileOffset() + k * 4096 + b.position()) > 0) {
                        // fill
                    }
                    seen[(int) ((va - address) / 4096)] = true;
                    boolean zero = va - address < zeroLength;
                    for (int i = 0; i < 4096; i += 8) {
                        if (b.getLong(i) != (zero ? 0 : (va + i) ^ SEED)) {
                            wrong[zero ? 0 : 1]++;
                            break;
                        }
                    }
                }
            }
        }
        for (int i = 0; i < seen.length; i++) {
            assertTrue("page " + i + " of the buffer is not in the image", seen[i]);
        }
        return wrong;
    }
}
