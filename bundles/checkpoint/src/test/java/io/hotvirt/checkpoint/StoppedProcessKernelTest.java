package io.hotvirt.checkpoint;

import io.hotvirt.checkpoint.image.NodeKeyStore;
import io.hotvirt.checkpoint.image.ProcessMetadata;
import io.hotvirt.checkpoint.restore.DomainRestorer;
import io.hotvirt.checkpoint.restore.MemoryRestorer;
import io.hotvirt.checkpoint.testing.CWorkload;
import io.hotvirt.checkpoint.testing.Reaping;
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

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertNull;
import static org.junit.Assert.assertTrue;

/**
 * A domain holding a process stopped by job control (stopped.c: a child that SIGSTOPs itself, a
 * parent waiting for its exit). The dump must not hang on it (PTRACE_SEIZE of a stopped thread
 * waits for it to trap, which a frozen thread never does), leaves it stopped when left running,
 * records it as stopped, and a restore brings it back stopped: in both cases only SIGCONT wakes it.
 */
public class StoppedProcessKernelTest {

    /** Every test here traces processes: a hung tracee fails the test, not the build. */
    @Rule(order = KernelTestTimeout.ORDER)
    public final KernelTestTimeout timeout = KernelTestTimeout.seconds(60);

    private static final int SIGCONT = 18;
    private static final int SIGSTOP = 19;

    @Rule
    public final TemporaryFolder tmp = new TemporaryFolder();

    private final List<AutoCloseable> cleanup = new ArrayList<>();
    private final Set<Integer> restored = new LinkedHashSet<>();
    private DomainCgroup cgroup;
    private NodeKeyStore keys;
    private Path images;

    @Before
    public void setUp() throws Exception {
        Cgroups cgroups = Privileged.assumeCgroups();
        cgroup = cgroups.create("hotvirt-stoptest-" + UUID.randomUUID().toString().substring(0, 8));
        keys = new NodeKeyStore(tmp.getRoot().toPath().resolve("hotvirt"));
        images = tmp.getRoot().toPath().resolve("hotvirt/images");
    }

    @After
    public void cleanUp() throws Exception {
        Reaping.kill(restored);
        CWorkload.closeAll(cleanup, cgroup); // thaws first: a dump hung on a frozen stopped thread ends here
        for (int pid : restored) {
            Reaping.reapGone(pid);
        }
    }

    @Test
    public void leftRunningTheStoppedChildStaysStoppedUntilSigcont() throws Exception {
        CWorkload w = start();
        int child = w.facts("READY").get("child");

        DomainCheckpointer.Result r = new DomainCheckpointer(keys, "testnode").checkpoint("stoptest", cgroup, images,
                "left", new DomainCheckpointer.Options(true), null);

        assertStopSignal(r.image(), child, SIGSTOP);
        assertNull(tree(r.image(), w.pid).stopSignal());
        Children.sleep(200); // a child wrongly released would have run to its end by now
        assertEquals("still stopped after the dump", 'T', state(child));
        assertEquals(0, Procfs.status(child).orElseThrow().tracerPid());
        LibC.INSTANCE.kill(child, SIGCONT);
        assertEquals("PASS", verdict(w));
    }

    /**
     * SIGCONT while the dump holds the stopped child: it ends the stop (the child, still in its
     * ptrace-stop, runs on once released) and the image, which holds the SIGCONT, says it runs.
     */
    @Test
    public void aSigcontDuringTheDumpWakesTheChildOnceReleased() throws Exception {
        CWorkload w = start();
        int child = w.facts("READY").get("child");

        DomainCheckpointer.Result r = new DomainCheckpointer(keys, "testnode").beforeProcess(pid -> {
            if (pid == child) {
                LibC.INSTANCE.kill(child, SIGCONT);
            }
        }).checkpoint("stoptest", cgroup, images, "continued", new DomainCheckpointer.Options(true), null);

        assertNull(tree(r.image(), child).stopSignal());
        assertEquals("PASS", verdict(w));
    }

    @Test
    public void restoredTheStoppedChildIsStoppedUntilSigcont() throws Exception {
        CWorkload w = start();
        int child = w.facts("READY").get("child");

        DomainCheckpointer.Result r = new DomainCheckpointer(keys, "testnode").checkpoint("stoptest", cgroup, images,
                "killed", new DomainCheckpointer.Options(false), null);
        Reaping.reapGone(w.pid);
        Reaping.reapGone(child);
        assertStopSignal(r.image(), child, SIGSTOP);

        new DomainRestorer(keys, List.of(Files.exists(Path.of("/usr/bin/sleep")) ? "/usr/bin/sleep" : "/bin/sleep",
                "infinity")).restore(r.image(), new DomainRestorer.Options(false, MemoryRestorer.Mode.ZERO_COPY_READ_ONLY),
                root -> {
                    synchronized (restored) {
                        restored.add(root);
                        cgroup.add(root);
                        for (int pid : Procfs.descendants(root)) {
                            restored.add(pid);
                            cgroup.add(pid);
                        }
                    }
                    return Optional.of(cgroup);
                }, null);
        long deadline = System.currentTimeMillis() + 5_000;
        while (state(child) != 'T' && System.currentTimeMillis() < deadline) {
            Children.sleep(5);
        }
        Children.sleep(200); // a child wrongly running would have run to its end by now
        assertEquals("restored stopped", 'T', state(child));
        assertEquals('S', state(w.pid)); // the parent runs, waiting for the child
        LibC.INSTANCE.kill(child, SIGCONT);
        assertEquals("PASS", verdict(w));
    }

    private CWorkload start() throws Exception {
        CWorkload w = CWorkload.start(List.of(CWorkload.binary("stopped").toString()), cgroup.procsFiles(),
                tmp.getRoot().toPath().resolve("stopped.log"), 10_000, x -> x.log().contains("READY"));
        cleanup.add(w);
        assertEquals('T', state(w.facts("READY").get("child")));
        return w;
    }

    private io.hotvirt.checkpoint.tree.ProcessRecord tree(Path image, int pid) throws Exception {
        ImageCatalog.Content c = new ImageCatalog(images, keys).read(image);
        return c.processes().stream().filter(p -> p.pid() == pid).map(ProcessMetadata::tree).findFirst().orElseThrow();
    }

    private void assertStopSignal(Path image, int pid, int signal) throws Exception {
        assertEquals("the image records process " + pid + " as stopped", Integer.valueOf(signal),
                tree(image, pid).stopSignal());
    }

    private static char state(int pid) {
        return Procfs.stat(pid).map(s -> s.state()).orElse('?');
    }

    /** The workload's PASS or FAIL line, printed once the child has ended. */
    private static String verdict(CWorkload w) {
        long deadline = System.currentTimeMillis() + 10_000;
        while (System.currentTimeMillis() < deadline) {
            Optional<String> v = w.log().lines().filter(l -> l.startsWith("PASS") || l.startsWith("FAIL")).findFirst();
            if (v.isPresent()) {
                return v.get();
            }
            Children.sleep(10);
        }
        return "no verdict: " + w.log();
    }

}
