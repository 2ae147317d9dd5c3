package io.hotvirt.checkpoint;

import io.hotvirt.checkpoint.files.FilesTreeWorkload;
import io.hotvirt.checkpoint.image.NodeKeyStore;
import io.hotvirt.checkpoint.testing.CWorkload;
import io.hotvirt.linux.cgroup.Cgroups;
import io.hotvirt.linux.cgroup.DomainCgroup;
import io.hotvirt.linux.jna.LibC;
import io.hotvirt.linux.proc.Procfs;
import io.hotvirt.linux.testing.Children;
import io.hotvirt.linux.testing.KernelTestTimeout;
import io.hotvirt.linux.testing.Privileged;
import org.junit.After;
import org.junit.Before;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.stream.Stream;

import static io.hotvirt.checkpoint.testing.CWorkload.assertReleased;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertThrows;
import static org.junit.Assert.assertTrue;

/**
 * What a dump must not do to a workload, nor claim about it: a process in strict seccomp mode
 * (seccomp_strict.c, blocked in read() on a FIFO) is refused before it is touched, since the first
 * injected syscall would kill it; and a dump never says the domain runs on when part of it ended.
 */
public class DumpRefusalsKernelTest {

    /** Every test here traces processes: a hung tracee fails the test, not the build. */
    @Rule(order = KernelTestTimeout.ORDER)
    public final KernelTestTimeout timeout = KernelTestTimeout.seconds(30);

    @Rule
    public final TemporaryFolder tmp = new TemporaryFolder();

    private final List<AutoCloseable> cleanup = new ArrayList<>();
    private DomainCgroup cgroup;
    private NodeKeyStore keys;
    private Path images;

    @Before
    public void setUp() throws IOException {
        Cgroups cgroups = Privileged.assumeCgroups();
        cgroup = cgroups.create("hotvirt-refusetest-" + UUID.randomUUID().toString().substring(0, 8));
        keys = new NodeKeyStore(tmp.getRoot().toPath().resolve("hotvirt"));
        images = tmp.getRoot().toPath().resolve("hotvirt/images");
    }

    @After
    public void cleanUp() throws Exception {
        CWorkload.closeAll(cleanup, cgroup);
    }

    @Test
    public void aProcessInStrictSeccompModeIsRefusedAndRunsOnUntouched() throws Exception {
        Path fifo = tmp.getRoot().toPath().resolve("wake");
        CWorkload w = CWorkload.start(List.of(CWorkload.binary("seccomp_strict").toString(), fifo.toString()),
                cgroup.procsFiles(), tmp.getRoot().toPath().resolve("seccomp.log"), 10_000,
                x -> x.log().contains("READY"));
        cleanup.add(w);
        assertEquals("1", Procfs.status(w.pid).orElseThrow().field("Seccomp").trim());

        for (boolean leaveRunning : new boolean[] {true, false}) {
            IOException e = assertThrows(IOException.class, () -> new DomainCheckpointer(keys, "testnode")
                    .checkpoint("refusetest", cgroup, images, "img-" + leaveRunning,
                            new DomainCheckpointer.Options(leaveRunning), null));
            assertTrue(e.getMessage(), e.getMessage().contains("refused"));
            assertTrue(e.getMessage(), e.getMessage().contains("process " + w.pid + " (seccomp_strict)"));
            assertTrue(e.getMessage(), e.getMessage().contains("strict seccomp mode"));
            assertTrue(e.getMessage(), e.getMessage().contains("not touched"));
            assertFalse("nothing made", Files.exists(images.resolve("img-" + leaveRunning)));
            assertReleased(w.pid);
            assertFalse(cgroup.frozen());
        }
        Files.write(fifo, new byte[] {1}, StandardOpenOption.WRITE); // its read() returns: it lives, and says so
        long deadline = System.currentTimeMillis() + 10_000;
        while (!w.log().contains("PASS") && !w.log().contains("FAIL") && System.currentTimeMillis() < deadline) {
            Children.sleep(10);
        }
        assertTrue(w.log(), w.log().contains("PASS"));
    }

    @Test
    public void aProcessThatDiedDuringALeaveRunningDumpIsReportedNotSaidToRunOn() throws Exception {
        FilesTreeWorkload tree = FilesTreeWorkload.start(10_000, cgroup.procsFiles());
        cleanup.add(tree);
        DomainCheckpointer.Result r = new DomainCheckpointer(keys, "testnode").afterRelease(() -> {
            LibC.INSTANCE.kill(tree.child2, 9); // dies while the image is being committed
            awaitDead(tree.child2);
        }).checkpoint("refusetest", cgroup, images, "img", new DomainCheckpointer.Options(true), null);

        assertTrue(r.leftRunning());
        assertEquals(r.ended().toString(), 1, r.ended().size());
        assertTrue(r.ended().get(0), r.ended().get(0).startsWith("process " + tree.child2 + " ("));
        assertTrue(r.fate(), r.fate().contains("not all of it runs on"));
        assertTrue(r.fate(), r.fate().contains("process " + tree.child2));
        assertFalse(r.fate(), r.fate().equals("left running"));

        DomainCheckpointer.Result again = new DomainCheckpointer(keys, "testnode").checkpoint("refusetest", cgroup,
                images, "img2", new DomainCheckpointer.Options(true), null);
        assertEquals(List.of(), again.ended());
        assertEquals("left running", again.fate());
    }

    @Test
    public void aFailedDumpNamesTheProcessThatDiedInsteadOfSayingTheDomainRunsOn() throws Exception {
        FilesTreeWorkload tree = FilesTreeWorkload.start(10_000, cgroup.procsFiles());
        cleanup.add(tree);
        DomainCheckpointer checkpointer = new DomainCheckpointer(keys, "testnode").beforeProcess(pid -> {
            if (pid == tree.child2) {
                LibC.INSTANCE.kill(pid, 9);
                awaitDead(pid);
            }
        });
        IOException e = assertThrows(IOException.class, () -> checkpointer.checkpoint("refusetest", cgroup, images,
                "img", new DomainCheckpointer.Options(true), null));
        assertTrue(e.getMessage(), e.getMessage().contains("process " + tree.child2 + " ("));
        assertTrue(e.getMessage(), e.getMessage().contains("not all of the domain runs on"));
        assertFalse(e.getMessage(), e.getMessage().contains("released, the domain runs on"));
        try (Stream<Path> s = Files.list(images)) {
            assertEquals("no image", List.of(), s.toList());
        }
    }

    private static void awaitDead(int pid) {
        long deadline = System.currentTimeMillis() + 5000;
        while (Procfs.stat(pid).map(st -> !st.dead()).orElse(false) && System.currentTimeMillis() < deadline) {
            Thread.onSpinWait();
        }
    }
}
