package io.hotvirt.checkpoint.files;

import io.hotvirt.checkpoint.testing.CWorkload;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import static org.junit.Assert.assertEquals;

/**
 * The files_tree.c workload: a parent and two children sharing files, a pipe with data in flight,
 * an eventfd, a socketpair, /dev/null, all in the process group of the parent (Spawner makes it a
 * session of its own). The parent checks its file offset and eventfd on SIGUSR1, child 1 its pipe.
 */
public final class FilesTreeWorkload implements AutoCloseable {

    public final Path dir;
    public final Path log;
    public final Path binary;
    public final int parent;
    public final int child1;
    public final int child2;
    /** FDS line: shared, pipe_r, pipe_w, eventfd, sock0, sock1, devnull */
    public final Map<String, Integer> fds;
    /** SEP lines: role → fd of its own separate.txt */
    public final Map<String, Integer> separate;
    private final CWorkload process;

    private FilesTreeWorkload(CWorkload process, Path dir, Path binary) {
        this.process = process;
        this.dir = dir;
        this.log = process.log;
        this.binary = binary;
        Map<String, Integer> pids = process.byName("READY");
        if (pids.get("parent") != process.pid) {
            throw new AssertionError("parent pid " + pids.get("parent") + " is not the spawned " + process.pid);
        }
        this.parent = process.pid;
        this.child1 = pids.get("child1");
        this.child2 = pids.get("child2");
        this.fds = process.facts("FDS");
        this.separate = process.byName("SEP");
    }

    public static FilesTreeWorkload start(long timeoutMillis) throws Exception {
        return start(timeoutMillis, List.of());
    }

    /** Starts the workload in the cgroups whose cgroup.procs files are given (none: where the JVM is). */
    public static FilesTreeWorkload start(long timeoutMillis, List<Path> cgroupProcs) throws Exception {
        Path bin = CWorkload.binary("files_tree");
        Path dir = Files.createTempDirectory("hotvirt-files-tree");
        try {
            return CWorkload.start(List.of(bin.toString(), dir.toString()), cgroupProcs, dir.resolve("workload.log"),
                    timeoutMillis, w -> w.log().lines().filter(l -> l.startsWith("READY ")).count() == 3)
                    .into(w -> new FilesTreeWorkload(w, dir, bin));
        } catch (Exception | Error e) {
            deleteTree(dir);
            throw e;
        }
    }

    public List<Integer> pids() {
        return List.of(parent, child1, child2);
    }

    /** SIGSTOPs every process and waits until each shows state T. */
    public void stop() throws IOException {
        process.stop();
    }

    public void resume() {
        process.resume();
    }

    /** Sends SIGUSR1 to {@code pid} and waits for a new line starting with {@code expectedPrefix} or FAIL. */
    public String selfCheck(int pid, String expectedPrefix, long timeoutMillis) {
        return process.selfCheck(pid, l -> l.startsWith(expectedPrefix) || l.startsWith("FAIL"), timeoutMillis);
    }

    /** Child 1 still reads the pipe's 10 bytes, the parent its shared offset 13 and eventfd count 7. */
    public void assertSelfChecksPass() {
        assertEquals("PASS pipe", selfCheck(child1, "PASS pipe", 5000));
        assertEquals("PASS parent", selfCheck(parent, "PASS parent", 5000));
    }

    @Override
    public void close() {
        process.close();
        deleteTree(dir);
    }

    private static void deleteTree(Path dir) {
        try (Stream<Path> s = Files.walk(dir)) {
            s.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException ignored) {
            // best effort
        }
    }
}
