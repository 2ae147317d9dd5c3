package io.hotvirt.checkpoint.memory;

import com.google.gson.Gson;
import io.hotvirt.checkpoint.DomainCheckpointer;
import io.hotvirt.checkpoint.ImageCatalog;
import io.hotvirt.checkpoint.image.DumpStats;
import io.hotvirt.checkpoint.image.ImageFormat;
import io.hotvirt.checkpoint.image.ImageVerifier;
import io.hotvirt.checkpoint.image.NodeKeyStore;
import io.hotvirt.checkpoint.testing.CWorkload;
import io.hotvirt.checkpoint.testing.TestSwap;
import io.hotvirt.linux.cgroup.Cgroups;
import io.hotvirt.linux.cgroup.DomainCgroup;
import io.hotvirt.linux.testing.KernelTestTimeout;
import io.hotvirt.linux.testing.Privileged;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

/**
 * Shared memory objects partly in swap (shm_swap.c: a 64 MiB memfd with a 4 MiB hole and 32 MiB of
 * shared anonymous memory, in a memory cgroup limited to 32 MiB, with a test swap file; the limit is
 * raised before the dump, so nothing but the dumper pages anything out): the image holds them byte
 * for byte, the pages read from swap are counted, and the objects' resident pages do not grow.
 */
public class SharedMemorySwapKernelTest {

    /** Every test here traces processes: a hung tracee fails the test, not the build. */
    @Rule(order = KernelTestTimeout.ORDER)
    public final KernelTestTimeout timeout = KernelTestTimeout.seconds(120);

    private static final long SEED_ANON = 0x3c3c0123456789c3L;
    private static final long SEED_MEMFD = 0xc3c3fedcba98763cL;
    private static final int TOLERANCE_PAGES = 64;

    @Rule
    public final TemporaryFolder tmp = new TemporaryFolder();

    @Test
    public void sharedMemoryInSwapIsSavedCountedAndPagedOutAgain() throws Exception {
        Privileged.assume("root (swapon, cgroups, map_files)");
        Cgroups cgroups = Cgroups.detect();
        Privileged.assume("a memory cgroup controller", cgroups.mounts().containsKey("memory"));
        Path dir = tmp.getRoot().toPath();
        TestSwap swap = TestSwap.enable(256, false);
        Privileged.assume("swapon on /var/tmp or /work (" + TestSwap.lastError + ")", swap != null);
        DomainCgroup cg = null;
        CWorkload w = null;
        try {
            cg = cgroups.create("hotvirt-shmswap-" + UUID.randomUUID().toString().substring(0, 8));
            cg.write("memory", "memory.swappiness", "60");
            cg.write("memory", "memory.limit_in_bytes", Long.toString(32L << 20));
            w = CWorkload.start(List.of(CWorkload.binary("shm_swap").toString(), "64", "32", "4"), cg.procsFiles(),
                    dir.resolve("workload.log"), 30_000, x -> x.log().contains("READY "));
            Map<String, Long> facts = new TreeMap<>();
            String[] f = w.fields("SHM");
            for (int i = 1; i < f.length; i++) {
                String[] kv = f[i].split("=", 2);
                facts.put(kv[0], kv[0].endsWith("_len") ? Long.parseLong(kv[1]) : Long.parseUnsignedLong(kv[1], 16));
            }
            String memfdLink = link(w.pid, facts.get("memfd"), facts.get("memfd_len"));
            String anonLink = link(w.pid, facts.get("anon"), facts.get("anon_len"));
            long holePages = facts.get("hole_len") / 4096;
            long memfdBefore = resident(memfdLink, facts.get("memfd_len"));
            long anonBefore = resident(anonLink, facts.get("anon_len"));
            long inSwap = (facts.get("memfd_len") / 4096 - holePages - memfdBefore)
                    + (facts.get("anon_len") / 4096 - anonBefore);
            String before = "resident memfd " + memfdBefore + " anon " + anonBefore + ", in swap " + inSwap;
            assertTrue("expected a good part of the objects in swap: " + before, inSwap > (16L << 20) / 4096);
            // room to spare during the dump: pages it swapped in and left in memory would stay there
            cg.write("memory", "memory.limit_in_bytes", Long.toString(512L << 20));

            long shmemBefore = stat(cg, "shmem");
            long swapCachedBefore = stat(cg, "swapcached"); // in memory already: a read may move them into the object
            NodeKeyStore keys = new NodeKeyStore(dir.resolve("hotvirt"));
            DomainCheckpointer.Result r = new DomainCheckpointer(keys, "testnode").checkpoint("shmswap", cg,
                    dir.resolve("images"), "img", new DomainCheckpointer.Options(true), null);
            long memfdAfter = resident(memfdLink, facts.get("memfd_len"));
            long anonAfter = resident(anonLink, facts.get("anon_len"));
            long shmemAfter = stat(cg, "shmem");
            DumpStats s = r.stats();
            String info = before + "; after: memfd " + memfdAfter + " anon " + anonAfter + "; memory.stat shmem "
                    + shmemBefore + " -> " + shmemAfter + ", swapcached " + stat(cg, "swapcached") + "; " + s
                    + " notes " + r.notes();
            System.out.println("shared memory in swap: " + info);

            ImageVerifier.Result v = new ImageVerifier(keys).verify(r.image());
            assertTrue(v.toString(), v.ok());
            SharedMemoryDumper.Record rec = new Gson().fromJson(
                    Files.readString(r.image().resolve(ImageFormat.SHARED_MEMORY)), SharedMemoryDumper.Record.class);
            assertEquals(rec.toString(), 2, rec.objects().size());
            for (SharedMemoryDumper.SavedObject o : rec.objects()) {
                assertEquals(o.toString(), "map_files", o.via());
                Path file = r.image().resolve(o.file());
                if (o.path().startsWith("/memfd:hotvirt-shmswap")) {
                    assertPattern(file, facts.get("memfd_len") - facts.get("hole_len"), facts.get("memfd_len"),
                            SEED_MEMFD);
                } else {
                    assertPattern(file, facts.get("anon_len"), facts.get("anon_len"), SEED_ANON);
                }
            }
            // every page that was in swap is counted, in the totals
            long privateSwapped = new ImageCatalog(dir.resolve("images"), keys).read(r.image()).processes().stream()
                    .mapToLong(p -> p.pages().swapViaProcessPages()).sum();
            long shmSwapped = s.swapViaProcessPages() - privateSwapped;
            assertTrue(info, shmSwapped >= inSwap);
            assertTrue(info, shmSwapped <= inSwap + TOLERANCE_PAGES);
            assertEquals(info, s.bytes(), (s.residentPages() + s.swappedPages()) * 4096);
            assertTrue(info, r.notes().contains(
                    "shared memory pages in swap are read through the object: swapped in and paged out again"));
            // paged out again: out of the objects (memory.stat shmem). mincore still sees the pages whose
            // write to swap was in flight: clean swap cache, reclaimed first (SharedMemoryDumper)
            assertTrue(info + " swapcached before " + swapCachedBefore,
                    shmemAfter <= shmemBefore + swapCachedBefore + TOLERANCE_PAGES * 4096L);
            assertEquals(info, "PASS main", w.selfCheck(30_000));
        } finally {
            TestSwap.cleanUp(w, cg, swap);
        }
    }

    private static long stat(DomainCgroup cg, String key) throws Exception {
        return cg.read("memory", "memory.stat").lines().filter(l -> l.startsWith(key + " "))
                .mapToLong(l -> Long.parseLong(l.substring(key.length() + 1).trim())).findFirst().orElse(-1);
    }

    private static String link(int pid, long address, long length) {
        return "/proc/" + pid + "/map_files/" + Long.toHexString(address) + "-" + Long.toHexString(address + length);
    }

    private static long resident(String link, long length) throws Exception {
        int pages = (int) (length / 4096);
        try (ObjectResidency o = ObjectResidency.map(link, pages)) {
            long n = 0;
            for (boolean b : o.resident(0, pages)) {
                n += b ? 1 : 0;
            }
            return n;
        }
    }

    /** The file: {@code length} bytes, (offset XOR seed) words up to {@code data}, zeros after. */
    private static void assertPattern(Path file, long data, long length, long seed) throws Exception {
        assertEquals(file.toString(), length, Files.size(file));
        try (FileChannel ch = FileChannel.open(file)) {
            ByteBuffer b = ByteBuffer.allocate(1 << 20).order(ByteOrder.LITTLE_ENDIAN);
            for (long at = 0; at < length; at += b.capacity()) {
                b.clear();
                while (b.hasRemaining() && ch.read(b, at + b.position()) > 0) {
                    // fill
                }
                for (int i = 0; i < b.capacity(); i += 8) {
                    long o = at + i;
                    long want = o < data ? o ^ seed : 0;
                    if (b.getLong(i) != want) {
                        throw new AssertionError(file + ": word at " + Long.toHexString(o) + " is "
                                + Long.toHexString(b.getLong(i)) + ", not " + Long.toHexString(want));
                    }
                }
            }
        }
    }
}
