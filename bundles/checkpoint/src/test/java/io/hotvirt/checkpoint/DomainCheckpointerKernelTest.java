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
import io.hotvirt.checkpoint.image.ProcessMetadata;
import io.hotvirt.checkpoint.signals.ProcessSignals;
import io.hotvirt.checkpoint.signals.QueuedSignal;
import io.hotvirt.checkpoint.testing.CWorkload;
import io.hotvirt.linux.cgroup.Cgroups;
import io.hotvirt.linux.cgroup.DomainCgroup;
import io.hotvirt.linux.jna.LibC;
import io.hotvirt.linux.proc.Procfs;
import io.hotvirt.linux.testing.Privileged;
import org.junit.After;
import org.junit.Before;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import static io.hotvirt.checkpoint.testing.CWorkload.assertReleased;
import static org.junit.Assert.assertArrayEquals;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertThrows;
import static org.junit.Assert.assertTrue;

/**
 * A whole-domain checkpoint on the real kernel: the files_tree.c tree (shared file, pipe with data,
 * eventfd, socketpair) and the signals.c process (threads, handlers, masks, pending signals) in one
 * test cgroup, checkpointed with and without leaving them running, and failing part-way.
 */
public class DomainCheckpointerKernelTest {

    private static final int SIGUSR1 = 10;

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

    @Test(timeout = 60_000)
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

    @Test(timeout = 60_000)
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

    @Test(timeout = 60_000)
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

    @Test(timeout = 60_000)
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
