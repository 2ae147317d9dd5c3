package io.hotvirt.checkpoint.restore;

import com.sun.jna.LastErrorException;
import com.sun.jna.ptr.IntByReference;
import io.hotvirt.checkpoint.DomainCheckpointer;
import io.hotvirt.checkpoint.image.NodeKeyStore;
import io.hotvirt.checkpoint.testing.CWorkload;
import io.hotvirt.checkpoint.testing.PatternWorkload;
import io.hotvirt.linux.cgroup.Cgroups;
import io.hotvirt.linux.cgroup.DomainCgroup;
import io.hotvirt.linux.jna.LibC;
import io.hotvirt.linux.proc.Procfs;
import io.hotvirt.linux.ptrace.ProcessMemory;
import io.hotvirt.linux.testing.Privileged;
import org.junit.After;
import org.junit.Before;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

/** Checkpoint, kill, restore on the real kernel: the workloads check themselves after coming back. */
public class DomainRestorerKernelTest {

    @Rule
    public final TemporaryFolder tmp = new TemporaryFolder();

    private final List<AutoCloseable> cleanup = new ArrayList<>();
    private final List<Integer> restoredRoots = new ArrayList<>();
    private DomainCgroup cgroup;
    private NodeKeyStore keys;
    private Path images;

    @Before
    public void setUp() throws Exception {
        Cgroups cgroups = Privileged.assumeCgroups();
        cgroup = cgroups.create("hotvirt-restoretest-" + UUID.randomUUID().toString().substring(0, 8));
        keys = new NodeKeyStore(tmp.getRoot().toPath().resolve("hotvirt"));
        images = tmp.getRoot().toPath().resolve("hotvirt/images");
    }

    @After
    public void cleanUp() throws Exception {
        for (int pid : restoredRoots) {
            try {
                LibC.INSTANCE.kill(pid, 9);
            } catch (LastErrorException ignored) {
                // gone
            }
        }
        CWorkload.closeAll(cleanup, cgroup);
        for (int pid : restoredRoots) {
            try {
                LibC.INSTANCE.waitpid(pid, new IntByReference(), 0); // our child: CLONE_PARENT made it so
            } catch (LastErrorException ignored) {
                // reaped
            }
        }
    }

    @Test(timeout = 120_000)
    public void patternComesBackInBothMemoryModes() throws Exception {
        for (MemoryRestorer.Mode mode : MemoryRestorer.Mode.values()) {
            PatternWorkload w = PatternWorkload.start(16, 0x5eed, cgroup.procsFiles(), tmp.getRoot().toPath(), 10_000);
            cleanup.add(w);
            Path image = dump("pattern-" + mode);
            w.close(); // reaps what the checkpoint killed
            awaitGone(w.pid);

            DomainRestorer.Result r = restore(image, new DomainRestorer.Options(false, mode));
            assertEquals(w.pid, r.rootPid());
            assertTrue(Procfs.stat(w.pid).isPresent());
            ByteBuffer words = ByteBuffer.wrap(ProcessMemory.read(w.pid, w.address, 4096)).order(ByteOrder.LITTLE_ENDIAN);
            for (int i = 0; i < 512; i++) {
                assertEquals(w.expected(w.address + 8L * i), words.getLong(i * 8));
            }
            Thread.sleep(200);
            assertTrue(mode + ": restored process died: " + Procfs.stat(w.pid), Procfs.stat(w.pid).map(s -> !s.dead())
                    .orElse(false));
            assertEquals(mode.toString(), "PASS", w.selfCheck(10_000));
            LibC.INSTANCE.kill(w.pid, 9);
            LibC.INSTANCE.waitpid(w.pid, new IntByReference(), 0);
            restoredRoots.remove(Integer.valueOf(w.pid));
        }
    }

    private Path dump(String name) throws Exception {
        return new DomainCheckpointer(keys, "testnode").checkpoint("restoretest", cgroup, images, name,
                new DomainCheckpointer.Options(false), null).image();
    }

    private DomainRestorer.Result restore(Path image, DomainRestorer.Options options) throws Exception {
        List<String> lines = new ArrayList<>();
        DomainRestorer.Result r = new DomainRestorer(keys, List.of(sleep(), "infinity")).restore(image, options,
                root -> {
                    restoredRoots.add(root);
                    cgroup.add(root);
                    for (int pid : Procfs.descendants(root)) {
                        cgroup.add(pid);
                    }
                    return Optional.of(cgroup);
                }, lines::add);
        assertTrue(lines.toString(), lines.size() >= 3);
        return r;
    }

    static String sleep() {
        return Files.exists(Path.of("/usr/bin/sleep")) ? "/usr/bin/sleep" : "/bin/sleep";
    }

    private static void awaitGone(int pid) throws InterruptedException {
        long deadline = System.currentTimeMillis() + 5_000;
        while (Files.exists(Path.of("/proc", Integer.toString(pid))) && System.currentTimeMillis() < deadline) {
            Thread.sleep(5);
        }
        assertTrue("process " + pid + " still exists", !Files.exists(Path.of("/proc", Integer.toString(pid))));
    }
}
