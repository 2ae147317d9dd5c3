package io.hotvirt.checkpoint;

import io.hotvirt.checkpoint.cpu.ThreadCpu;
import io.hotvirt.checkpoint.files.FileDescription;
import io.hotvirt.checkpoint.files.FileKind;
import io.hotvirt.checkpoint.files.FilesTreeWorkload;
import io.hotvirt.checkpoint.freeze.SignalsWorkload;
import io.hotvirt.checkpoint.image.DumpStats;
import io.hotvirt.checkpoint.image.ImageFormat;
import io.hotvirt.checkpoint.image.ImageVerifier;
import io.hotvirt.checkpoint.image.NodeKeyStore;
import io.hotvirt.checkpoint.image.PageIndexReader;
import io.hotvirt.checkpoint.image.PageRun;
import io.hotvirt.checkpoint.image.ProcessMetadata;
import io.hotvirt.checkpoint.memory.SharedMemoryDumper;
import io.hotvirt.checkpoint.signals.ProcessSignals;
import io.hotvirt.checkpoint.signals.QueuedSignal;
import io.hotvirt.checkpoint.testing.CWorkload;
import io.hotvirt.checkpoint.testing.PythonWorkload;
import io.hotvirt.linux.cgroup.Cgroups;
import io.hotvirt.linux.cgroup.DomainCgroup;
import io.hotvirt.linux.jna.LibC;
import io.hotvirt.linux.proc.Procfs;
import io.hotvirt.linux.testing.KernelTestTimeout;
import io.hotvirt.linux.testing.Privileged;
import com.google.gson.Gson;
import org.junit.After;
import org.junit.Assume;
import org.junit.Before;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import static io.hotvirt.checkpoint.testing.CWorkload.assertReleased;
import static io.hotvirt.linux.process.Signals.SIGUSR1;
import static org.junit.Assert.assertArrayEquals;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertThrows;
import static org.junit.Assert.assertTrue;

/**
 * A whole-domain checkpoint on the real kernel: the files_tree.c tree (shared file, pipe with data,
 * eventfd, socketpair) and the signals.c process (threads, handlers, masks, pending signals) in one
 * test cgroup, checkpointed with and without leaving them running, and failing part-way; the
 * shm_tree.c tree (shared anonymous memory and a memfd, mapped by three processes), saved once per
 * object; and a python3 workload (heap data, a file, a pipe with data, a forked child sharing
 * memory).
 */
public class DomainCheckpointerKernelTest {

    /** Every test here traces processes: a hung tracee fails the test, not the build. */
    @Rule(order = KernelTestTimeout.ORDER)
    public final KernelTestTimeout timeout = KernelTestTimeout.seconds(120);

    @Rule
    public final TemporaryFolder tmp = new TemporaryFolder();

    private final List<AutoCloseable> cleanup = new ArrayList<>();
    private DomainCgroup cgroup;
    private NodeKeyStore keys;
    private Path images;

    @Before
    public void setUp() throws IOException {
        Cgroups cgroups = Privileged.assumeCgroups();
        cgroup = cgroups.create("hotvirt-dumptest-" + UUID.randomUUID().toString().substring(0, 8));
        keys = new NodeKeyStore(tmp.getRoot().toPath().resolve("hotvirt"));
        images = tmp.getRoot().toPath().resolve("hotvirt/images");
    }

    @After
    public void cleanUp() throws Exception {
        CWorkload.closeAll(cleanup, cgroup);
    }

    @Test
    public void savesTheWholeDomainAndLeavesItRunning() throws Exception {
        FilesTreeWorkload tree = filesTree();
        SignalsWorkload signals = signals();
        AtomicLong progressPages = new AtomicLong();
        AtomicLong progressCalls = new AtomicLong();

        DomainCheckpointer.Result r = new DomainCheckpointer(keys, "testnode").checkpoint("dumptest", cgroup, images,
                "img1", new DomainCheckpointer.Options(true), (pages, bytes, nanos) -> {
                    progressPages.set(pages);
                    progressCalls.incrementAndGet();
                    assertEquals(pages * 4096, bytes);
                });

        // the image: complete, verified, private
        Path image = r.image();
        assertEquals(images.resolve("img1"), image);
        ImageVerifier.Result v = new ImageVerifier(keys).verify(image);
        assertTrue(v.toString(), v.ok());
        assertEquals("rwx------", PosixFilePermissions.toString(Files.getPosixFilePermissions(image)));
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(keys.file())));
        try (Stream<Path> s = Files.list(images)) {
            assertEquals("no partial directory left", List.of(image), s.toList());
        }

        // processes, parents first
        List<Integer> pids = r.processes().stream().map(p -> p.pid()).toList();
        assertEquals(Set.of(tree.parent, tree.child1, tree.child2, signals.pid), Set.copyOf(pids));
        assertTrue(pids.indexOf(tree.parent) < pids.indexOf(tree.child1));
        assertTrue(pids.indexOf(tree.parent) < pids.indexOf(tree.child2));
        assertEquals(pids, v.manifest().processes());

        // statistics
        DumpStats s = r.stats();
        assertTrue(s.toString(), s.residentPages() > 0);
        assertEquals(s.bytes(), (s.residentPages() + s.swappedPages()) * 4096);
        assertTrue(s.toString(), s.frozenMillis() > 0 && s.frozenMillis() <= s.totalMillis());
        assertEquals(s, v.manifest().stats());
        assertTrue(progressCalls.get() > 0);
        assertEquals(s.residentPages() + s.swappedPages(), progressPages.get());

        ImageCatalog.Content c = new ImageCatalog(images, keys).read(image);
        assertEquals("dumptest", c.domain().domain());
        assertEquals(cgroup.path(), c.domain().cgroup());

        // files.json: shared.txt once, owned by the parent; the pipe's 10 bytes in their own file
        String dir = tree.dir.toRealPath().toString();
        List<FileDescription> shared = c.files().descriptions().stream()
                .filter(d -> d.path().equals(dir + "/shared.txt")).toList();
        assertEquals(c.files().descriptions().toString(), 1, shared.size());
        assertEquals(tree.parent, shared.get(0).ownerPid());
        assertEquals(13, shared.get(0).offset());
        assertEquals(Set.of(tree.parent, tree.child1, tree.child2),
                shared.get(0).holders().stream().map(FileDescription.Holder::pid).collect(Collectors.toSet()));
        assertEquals(FileDescription.class, shared.get(0).getClass());
        FileDescription pipe = c.files().descriptions().stream()
                .filter(d -> d.kind() == FileKind.PIPE && d.pipeBytes() > 0).findFirst().orElseThrow();
        String pipeFile = c.files().pipeDataFiles().get(pipe.pipeData());
        assertEquals(ImageFormat.pipeDataFile(pipe.pipeData()), pipeFile);
        assertArrayEquals("0123456789".getBytes(StandardCharsets.US_ASCII), Files.readAllBytes(image.resolve(pipeFile)));
        assertTrue(c.files().descriptions().stream().anyMatch(d -> d.kind() == FileKind.EVENTFD && d.eventfdCount() == 7));
        assertEquals(2, c.files().descriptions().stream().filter(d -> d.kind() == FileKind.UNIX_SOCKET).count());

        // process-PID.json of the signals workload: threads, handlers, masks, pending signals, memory
        ProcessMetadata p = c.processes().stream().filter(m -> m.pid() == signals.pid).findFirst().orElseThrow();
        assertEquals(4, p.threads().size());
        assertEquals(Set.copyOf(p.tree().threads()), p.threads().stream().map(ThreadCpu::tid).collect(Collectors.toSet()));
        ProcessSignals sig = p.signals();
        assertEquals(Long.toHexString(signals.handler), Long.toHexString(sig.action(SIGUSR1).orElseThrow().handler()));
        assertTrue(sig.action(12).orElseThrow().isIgnored());
        assertEquals(List.of(signals.sigrt, signals.sigrt), sig.sharedPending().stream().map(QueuedSignal::signo).toList());
        assertTrue(sig.thread(signals.pid).orElseThrow().blocks(2));
        assertTrue(p.areas().stream().anyMatch(a -> a.contents().equals("pages")));
        assertTrue(p.pages().residentPages() > 0);
        assertTrue(Files.size(image.resolve(ImageFormat.pagesFile(signals.pid))) == p.pages().bytes());

        assertLeftRunning(pids, tree, signals);
    }

    @Test
    public void aProcessKilledMidWayLeavesTheRestRunningAndNoImage() throws Exception {
        FilesTreeWorkload tree = filesTree();
        SignalsWorkload signals = signals();
        DomainCheckpointer checkpointer = new DomainCheckpointer(keys, "testnode").beforeProcess(pid -> {
            if (pid == tree.child2) {
                LibC.INSTANCE.kill(pid, 9);
                long deadline = System.currentTimeMillis() + 5000;
                while (Procfs.stat(pid).map(st -> st.state() != 'Z').orElse(false)
                        && System.currentTimeMillis() < deadline) {
                    Thread.onSpinWait();
                }
            }
        });
        IOException e = assertThrows(IOException.class, () -> checkpointer.checkpoint("dumptest", cgroup, images,
                "img2", new DomainCheckpointer.Options(true), null));
        assertTrue(e.getMessage(), e.getMessage().contains("process " + tree.child2));
        assertTrue(e.getMessage(), e.getMessage().contains("runs on"));
        try (Stream<Path> s = Files.list(images)) {
            assertEquals("neither the image nor a partial one", List.of(), s.toList());
        }
        assertFalse(cgroup.frozen());
        assertLeftRunning(List.of(tree.parent, tree.child1, signals.pid), tree, signals);
    }

    @Test
    public void anUnwritableDirectoryIsAClearErrorAndTheDomainIsNotTouched() throws Exception {
        SignalsWorkload signals = signals();
        Path notADir = tmp.newFile("a-file").toPath();
        IOException e = assertThrows(IOException.class, () -> new DomainCheckpointer(keys, "testnode")
                .checkpoint("dumptest", cgroup, notADir.resolve("images"), "img3",
                        new DomainCheckpointer.Options(true), null));
        assertTrue(e.getMessage(), e.getMessage().contains(notADir.resolve("images").resolve("img3").toString()));
        assertTrue(e.getMessage(), e.getMessage().contains("not touched"));
        assertReleased(signals.pid);
        assertEquals("PASS", signals.selfCheck(5000));
    }

    @Test
    public void withoutLeaveRunningTheDomainIsKilledAfterTheImageIsComplete() throws Exception {
        SignalsWorkload signals = signals();
        DomainCheckpointer.Result r = new DomainCheckpointer(keys, "testnode").checkpoint("dumptest", cgroup, images,
                "img4", new DomainCheckpointer.Options(false), null);
        assertTrue(new ImageVerifier(keys).verify(r.image()).ok());
        long deadline = System.currentTimeMillis() + 5000;
        while (Procfs.stat(signals.pid).map(st -> st.state() != 'Z').orElse(false)
                && System.currentTimeMillis() < deadline) {
            Thread.sleep(5);
        }
        assertEquals("killed: a zombie until reaped", 'Z', Procfs.stat(signals.pid).map(st -> st.state()).orElse('Z')
                .charValue());
        assertFalse(cgroup.frozen());
    }

    private static final long SEED_ANON = 0x5a5a0123456789a5L;
    private static final long SEED_MEMFD = 0xa5a5fedcba987653L;

    /**
     * rseq_cs.c: a thread spinning in an rseq critical section that only an abort leaves. Stopped
     * there, it is sent on to its abort handler in the image and, left running, live too: the
     * syscalls injected into it clear the section descriptor, after which nothing would abort it.
     */
    @Test
    public void aThreadStoppedInAnRseqCriticalSectionGoesOnAtItsAbortHandler() throws Exception {
        CWorkload w = CWorkload.start(List.of(CWorkload.binary("rseq_cs", "-pthread").toString()), cgroup.procsFiles(),
                tmp.getRoot().toPath().resolve("rseq.log"), 10_000, x -> x.log().contains("READY"));
        cleanup.add(w);
        for (int i = 0; i < 3; i++) {
            new DomainCheckpointer(keys, "testnode").checkpoint("dumptest", cgroup, images, "rseq" + i,
                    new DomainCheckpointer.Options(true), null);
            String verdict = w.selfCheck(10_000);
            assertTrue(verdict, verdict.startsWith("PASS"));
        }
    }

    @Test
    public void savesEachSharedMemoryObjectOnceForTheWholeDomain() throws Exception {
        Path dir = tmp.newFolder("shm").toPath();
        CWorkload w = CWorkload.start(List.of(CWorkload.binary("shm_tree").toString()), cgroup.procsFiles(),
                dir.resolve("workload.log"), 10_000,
                x -> x.log().lines().filter(l -> l.startsWith("READY ")).count() == 3);
        cleanup.add(w);
        Map<String, Integer> roles = w.byName("READY");
        Map<String, Long> shmFacts = new java.util.TreeMap<>();
        String[] f = w.fields("SHM");
        for (int i = 1; i < f.length; i++) {
            String[] kv = f[i].split("=", 2);
            shmFacts.put(kv[0], kv[0].endsWith("_len") ? Long.parseLong(kv[1]) : Long.parseUnsignedLong(kv[1], 16));
        }

        DomainCheckpointer.Result r = new DomainCheckpointer(keys, "testnode").checkpoint("dumptest", cgroup, images,
                "img5", new DomainCheckpointer.Options(true), null);
        Path image = r.image();
        ImageVerifier.Result v = new ImageVerifier(keys).verify(image);
        assertTrue(v.toString(), v.ok());

        // one file per object, not one per process that maps it
        List<String> shmFiles;
        try (Stream<Path> s = Files.list(image)) {
            shmFiles = s.map(p -> p.getFileName().toString()).filter(SharedMemoryDumper::isShmFile).sorted().toList();
        }
        assertEquals(shmFiles.toString(), 2, shmFiles.size());
        Set<String> listed = v.manifest().files().stream().map(e -> e.name()).collect(Collectors.toSet());
        assertTrue(listed.containsAll(shmFiles));

        // every process's metadata points its areas at the same two files, offset 0
        ImageCatalog.Content c = new ImageCatalog(images, keys).read(image);
        Set<String> anonRefs = new TreeSet<>();
        Set<String> memfdRefs = new TreeSet<>();
        for (int pid : roles.values()) {
            ProcessMetadata p = c.processes().stream().filter(m -> m.pid() == pid).findFirst().orElseThrow();
            ProcessMetadata.Area anon = area(p, shmFacts.get("anon"));
            ProcessMetadata.Area memfd = area(p, shmFacts.get("memfd"));
            assertEquals(anon.toString(), "shm", anon.contents());
            assertEquals(memfd.toString(), "shm", memfd.contents());
            assertEquals(0, anon.offset());
            assertEquals(0, memfd.offset());
            assertTrue(memfd.path(), memfd.path().startsWith("/memfd:hotvirt-shm"));
            assertEquals(ImageFormat.shmFile(anon.devMajor(), anon.devMinor(), anon.inode()), anon.shm());
            anonRefs.add(anon.shm());
            memfdRefs.add(memfd.shm());
        }
        assertEquals(1, anonRefs.size());
        assertEquals(1, memfdRefs.size());
        String anonFile = anonRefs.iterator().next();
        String memfdFile = memfdRefs.iterator().next();
        assertEquals(new TreeSet<>(shmFiles), new TreeSet<>(List.of(anonFile, memfdFile)));

        // the bytes: the pattern, the memfd's pwrite(2)-only tail included
        assertPattern(image.resolve(anonFile), shmFacts.get("anon_len"), SEED_ANON);
        assertPattern(image.resolve(memfdFile), shmFacts.get("memfd_len"), SEED_MEMFD);

        // shm.json: each object once, read through the object itself, mapped by all three
        SharedMemoryDumper.Record rec = new Gson().fromJson(
                Files.readString(image.resolve(ImageFormat.SHARED_MEMORY)), SharedMemoryDumper.Record.class);
        assertEquals(2, rec.objects().size());
        for (SharedMemoryDumper.SavedObject o : rec.objects()) {
            assertEquals(o.toString(), "map_files", o.via());
            assertEquals(o.toString(), new TreeSet<>(roles.values()), new TreeSet<>(o.mappedBy()));
            assertEquals(o.toString(), Files.size(image.resolve(o.file())), o.size());
        }

        for (Map.Entry<String, Integer> e : roles.entrySet()) {
            assertReleased(e.getValue());
            assertEquals("PASS " + e.getKey(), w.selfCheck(e.getValue(),
                    l -> l.startsWith("PASS " + e.getKey()) || l.startsWith("FAIL " + e.getKey()), 5000));
        }
    }



    @Test
    public void savesAPythonWorkloadAndLeavesItRunning() throws Exception {
        Path dir = tmp.newFolder("python").toPath();
        CWorkload w = PythonWorkload.start(dir, cgroup.procsFiles());
        cleanup.add(w);
        Map<String, Integer> roles = w.byName("READY");
        assertEquals(w.pid, (int) roles.get("parent"));
        String[] bufLine = w.fields("BUF");
        long bufAddress = Long.parseUnsignedLong(bufLine[1], 16);
        int bufLength = Integer.parseInt(bufLine[2]);
        String[] shmLine = w.fields("SHM");
        long shmAddress = Long.parseUnsignedLong(shmLine[1], 16);

        DomainCheckpointer.Result r = new DomainCheckpointer(keys, "testnode").checkpoint("pytest", cgroup, images,
                "py1", new DomainCheckpointer.Options(true), null);
        Path image = r.image();
        ImageVerifier.Result v = new ImageVerifier(keys).verify(image);
        assertTrue(v.toString(), v.ok());
        assertEquals(new TreeSet<>(roles.values()), new TreeSet<>(v.manifest().processes()));

        // the bytearray, from the parent's page file
        byte[] pat = new byte[4096];
        for (int i = 0; i < pat.length; i++) {
            pat[i] = (byte) ((i * 131 + 7) & 0xff);
        }
        byte[] saved = imageMemory(image, w.pid, bufAddress, bufLength);
        for (int i = 0; i < bufLength; i++) {
            if (saved[i] != pat[i % 4096]) {
                throw new AssertionError("bytearray byte " + i + " is " + saved[i] + ", expected " + pat[i % 4096]);
            }
        }

        // the open file and the pipe with its bytes
        ImageCatalog.Content c = new ImageCatalog(images, keys).read(image);
        String data = dir.resolve("data.txt").toRealPath().toString();
        FileDescription file = c.files().descriptions().stream().filter(d -> d.path().equals(data)).findFirst()
                .orElseThrow(() -> new AssertionError(c.files().descriptions().toString()));
        assertEquals(18, file.offset());
        FileDescription pipe = c.files().descriptions().stream()
                .filter(d -> d.kind() == FileKind.PIPE && d.pipeBytes() > 0).findFirst().orElseThrow();
        assertArrayEquals("in flight".getBytes(StandardCharsets.US_ASCII),
                Files.readAllBytes(image.resolve(c.files().pipeDataFiles().get(pipe.pipeData()))));

        // the mmap shared with the child: one object, both processes point at it
        Set<String> refs = new TreeSet<>();
        for (int pid : roles.values()) {
            ProcessMetadata p = c.processes().stream().filter(m -> m.pid() == pid).findFirst().orElseThrow();
            ProcessMetadata.Area a = area(p, shmAddress);
            assertEquals(a.toString(), "shm", a.contents());
            refs.add(a.shm());
        }
        assertEquals(refs.toString(), 1, refs.size());
        byte[] shm = Files.readAllBytes(image.resolve(refs.iterator().next()));
        assertEquals(1 << 20, shm.length);
        for (int i = 0; i < shm.length; i++) {
            if (shm[i] != (byte) (((i % 4096) * 17 + 3) & 0xff)) {
                throw new AssertionError("shared mmap byte " + i + " is " + shm[i]);
            }
        }

        for (Map.Entry<String, Integer> e : roles.entrySet()) {
            assertReleased(e.getValue());
            assertEquals("PASS " + e.getKey(), w.selfCheck(e.getValue(),
                    l -> l.startsWith("PASS " + e.getKey()) || l.startsWith("FAIL " + e.getKey()), 10_000));
        }
    }

    /** Prints where the frozen time goes (python3, then files_tree + signals), three dumps each. */
    @Test
    public void reportsThePhaseTimesOfEachDump() throws Exception {
        Path dir = tmp.newFolder("phases").toPath();
        CWorkload py = PythonWorkload.start(dir, cgroup.procsFiles());
        cleanup.add(py);
        dumpAndPrintPhases("python3");
        for (Map.Entry<String, Integer> e : py.byName("READY").entrySet()) {
            assertReleased(e.getValue());
            assertEquals("PASS " + e.getKey(), py.selfCheck(e.getValue(),
                    l -> l.startsWith("PASS " + e.getKey()) || l.startsWith("FAIL " + e.getKey()), 10_000));
        }
        py.close();
        cleanup.remove(py);

        FilesTreeWorkload tree = filesTree();
        SignalsWorkload signals = signals();
        dumpAndPrintPhases("files_tree+signals");
        assertLeftRunning(List.of(tree.parent, tree.child1, tree.child2, signals.pid), tree, signals);
    }

    private void dumpAndPrintPhases(String workload) throws IOException {
        for (int i = 1; i <= Integer.getInteger("hotvirt.phaseRuns", 3); i++) {
            DomainCheckpointer.Result r = new DomainCheckpointer(keys, "testnode").checkpoint("phases", cgroup, images,
                    "phases-" + workload.replace('+', '-') + "-" + i, new DomainCheckpointer.Options(true), null);
            DumpStats s = r.stats();
            System.out.printf("PHASES %s #%d: frozen %d ms, total %d ms, %d pages; %s%n", workload, i,
                    s.frozenMillis(), s.totalMillis(), s.residentPages() + s.swappedPages(), r.phases());
            List<String> order = List.copyOf(r.phases().nanos().keySet());
            assertTrue(order.toString(), order.containsAll(List.of(DumpPhases.FREEZE, DumpPhases.SIGNALS,
                    DumpPhases.MEMORY, DumpPhases.RELEASE, DumpPhases.COMMIT)));
            assertTrue(order.toString(), order.indexOf(DumpPhases.RELEASE) < order.indexOf(DumpPhases.COMMIT));
            assertTrue(new ImageVerifier(keys).verify(r.image()).ok());
        }
    }

    private static ProcessMetadata.Area area(ProcessMetadata p, long start) {
        return p.areas().stream().filter(a -> a.start() == start).findFirst()
                .orElseThrow(() -> new AssertionError("no area at 0x" + Long.toHexString(start) + " in " + p.areas()));
    }

    /** Every 8-byte word at byte offset o is o ^ seed, little-endian, over exactly {@code length} bytes. */
    private static void assertPattern(Path file, long length, long seed) throws IOException {
        ByteBuffer b = ByteBuffer.wrap(Files.readAllBytes(file)).order(ByteOrder.LITTLE_ENDIAN);
        assertEquals(file.toString(), length, b.capacity());
        for (int o = 0; o < length; o += 8) {
            if (b.getLong(o) != (o ^ seed)) {
                throw new AssertionError(file + ": word at offset 0x" + Integer.toHexString(o) + " is 0x"
                        + Long.toHexString(b.getLong(o)));
            }
        }
    }

    /** {@code length} bytes at {@code address} of process {@code pid} as its page file holds them. */
    private static byte[] imageMemory(Path image, int pid, long address, int length) throws IOException {
        byte[] out = new byte[length];
        boolean[] covered = new boolean[(int) ((address + length + 4095) / 4096 - address / 4096)];
        long firstPage = address / 4096 * 4096;
        try (FileChannel pages = FileChannel.open(image.resolve(ImageFormat.pagesFile(pid)))) {
            List<PageRun> runs = new ArrayList<>();
            PageIndexReader.forEach(image.resolve(ImageFormat.pageIndexFile(pid)), runs::add);
            for (PageRun run : runs) {
                for (long k = 0; k < run.pages(); k++) {
                    long page = run.vaddr() + k * 4096;
                    if (page + 4096 <= address || page >= address + length) {
                        continue;
                    }
                    ByteBuffer b = ByteBuffer.allocate(4096);
                    pages.read(b, run.fileOffset() + k * 4096);
                    long from = Math.max(page, address);
                    long to = Math.min(page + 4096, address + length);
                    System.arraycopy(b.array(), (int) (from - page), out, (int) (from - address), (int) (to - from));
                    covered[(int) ((page - firstPage) / 4096)] = true;
                }
            }
        }
        for (int i = 0; i < covered.length; i++) {
            assertTrue("page " + i + " of the range is not in the image", covered[i]);
        }
        return out;
    }

    private FilesTreeWorkload filesTree() throws Exception {
        FilesTreeWorkload w = FilesTreeWorkload.start(10_000, cgroup.procsFiles());
        cleanup.add(w);
        return w;
    }

    private SignalsWorkload signals() throws Exception {
        SignalsWorkload w = SignalsWorkload.start(cgroup.procsFiles(), tmp.getRoot().toPath());
        cleanup.add(w);
        return w;
    }

    /** Every process given released, and the workloads' own checks of their state pass. */
    private static void assertLeftRunning(List<Integer> pids, FilesTreeWorkload tree, SignalsWorkload signals) {
        for (int pid : pids) {
            assertReleased(pid);
        }
        assertEquals("PASS", signals.selfCheck(5000));
        tree.assertSelfChecksPass();
    }
}
