package io.hotvirt.checkpoint.files;

import com.sun.jna.LastErrorException;
import com.sun.jna.ptr.IntByReference;
import io.hotvirt.linux.jna.LibC;
import io.hotvirt.linux.proc.Procfs;
import io.hotvirt.linux.process.SpawnRequest;
import io.hotvirt.linux.process.Spawner;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * The files_tree.c workload: a parent and two children sharing files, a pipe with data in flight,
 * an eventfd, a socketpair, /dev/null. Built with gcc into target/, spawned with {@link Spawner}
 * in its own session, stopped and resumed with SIGSTOP/SIGCONT, killed and reaped on close.
 */
public final class FilesTreeWorkload implements AutoCloseable {

    private static final Path SOURCE = Path.of("src/test/resources/workloads/files_tree.c");
    private static final Path BINARY = Path.of("target/workloads/files_tree");

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

    private FilesTreeWorkload(Path dir, Path log, Path binary, int parent, int child1, int child2,
                              Map<String, Integer> fds, Map<String, Integer> separate) {
        this.dir = dir;
        this.log = log;
        this.binary = binary;
        this.parent = parent;
        this.child1 = child1;
        this.child2 = child2;
        this.fds = fds;
        this.separate = separate;
    }

    public static synchronized Path binary() throws IOException, InterruptedException {
        if (Files.exists(BINARY) && Files.getLastModifiedTime(BINARY).compareTo(Files.getLastModifiedTime(SOURCE)) > 0) {
            return BINARY.toAbsolutePath();
        }
        Files.createDirectories(BINARY.getParent());
        // gcc is a build tool, not a workload: ProcessBuilder is fine for it
        Process gcc = new ProcessBuilder("gcc", "-O2", "-Wall", "-o", BINARY.toString(), SOURCE.toString())
                .redirectErrorStream(true).start();
        String out = new String(gcc.getInputStream().readAllBytes());
        if (!gcc.waitFor(60, TimeUnit.SECONDS) || gcc.exitValue() != 0) {
            throw new IOException("gcc failed: " + out);
        }
        return BINARY.toAbsolutePath();
    }

    public static FilesTreeWorkload start(long timeoutMillis) throws Exception {
        return start(timeoutMillis, List.of());
    }

    /** Starts the workload in the cgroups whose cgroup.procs files are given (none: where the JVM is). */
    public static FilesTreeWorkload start(long timeoutMillis, List<Path> cgroupProcs) throws Exception {
        Path bin = binary();
        Path dir = Files.createTempDirectory("hotvirt-files-tree");
        Path log = dir.resolve("workload.log");
        int pid = Spawner.spawn(new SpawnRequest(List.of(bin.toString(), dir.toString()), null, log, cgroupProcs));
        FilesTreeWorkload w = null;
        try {
            long deadline = System.currentTimeMillis() + timeoutMillis;
            while (System.currentTimeMillis() < deadline) {
                String text = Files.exists(log) ? Files.readString(log) : "";
                if (text.contains("FAIL")) {
                    throw new AssertionError("workload failed: " + text);
                }
                if (text.lines().filter(l -> l.startsWith("READY ")).count() == 3) {
                    Map<String, Integer> pids = new TreeMap<>();
                    Map<String, Integer> fds = new TreeMap<>();
                    Map<String, Integer> sep = new TreeMap<>();
                    for (String l : text.lines().toList()) {
                        String[] f = l.split(" ");
                        if (f[0].equals("READY")) {
                            pids.put(f[1], Integer.parseInt(f[2]));
                        } else if (f[0].equals("SEP")) {
                            sep.put(f[1], Integer.parseInt(f[2]));
                        } else if (f[0].equals("FDS")) {
                            for (int i = 1; i < f.length; i++) {
                                String[] kv = f[i].split("=");
                                fds.put(kv[0], Integer.parseInt(kv[1]));
                            }
                        }
                    }
                    if (pids.get("parent") != pid) {
                        throw new AssertionError("parent pid " + pids.get("parent") + " is not the spawned " + pid);
                    }
                    w = new FilesTreeWorkload(dir, log, bin, pid, pids.get("child1"), pids.get("child2"), fds, sep);
                    return w;
                }
                Thread.sleep(10);
            }
            throw new AssertionError("workload not READY within " + timeoutMillis + " ms: " + Files.readString(log));
        } finally {
            if (w == null) {
                kill(pid);
                deleteTree(dir);
            }
        }
    }

    public List<Integer> pids() {
        return List.of(parent, child1, child2);
    }

    /** SIGSTOPs every process and waits until each shows state T. */
    public void stop() throws InterruptedException {
        for (int p : pids()) {
            LibC.INSTANCE.kill(p, 19);
        }
        long deadline = System.currentTimeMillis() + 5000;
        for (int p : pids()) {
            while (Procfs.stat(p).map(s -> s.state() != 'T').orElse(false)) {
                if (System.currentTimeMillis() > deadline) {
                    throw new AssertionError("process " + p + " did not stop");
                }
                Thread.sleep(2);
            }
        }
    }

    public void resume() {
        for (int p : pids()) {
            try {
                LibC.INSTANCE.kill(p, 18);
            } catch (LastErrorException ignored) {
                // gone
            }
        }
    }

    /** Sends SIGUSR1 to {@code pid} and waits for a new line starting with PASS or FAIL. */
    public String selfCheck(int pid, String expectedPrefix, long timeoutMillis) throws Exception {
        LibC.INSTANCE.kill(pid, 10);
        long deadline = System.currentTimeMillis() + timeoutMillis;
        while (System.currentTimeMillis() < deadline) {
            List<String> verdicts = new ArrayList<>(Files.readString(log).lines()
                    .filter(l -> l.startsWith(expectedPrefix) || l.startsWith("FAIL")).toList());
            if (!verdicts.isEmpty()) {
                return verdicts.get(verdicts.size() - 1);
            }
            Thread.sleep(10);
        }
        return "no verdict within " + timeoutMillis + " ms: " + Files.readString(log);
    }

    @Override
    public void close() {
        resume();
        try {
            LibC.INSTANCE.kill(-parent, 9); // the whole process group (Spawner makes a new session)
        } catch (LastErrorException ignored) {
            // gone
        }
        for (int p : pids()) {
            kill(p);
        }
        deleteTree(dir);
    }

    private static void kill(int pid) {
        try {
            LibC.INSTANCE.kill(pid, 9);
        } catch (LastErrorException ignored) {
            // gone
        }
        IntByReference status = new IntByReference();
        long deadline = System.currentTimeMillis() + 5000;
        while (System.currentTimeMillis() < deadline) {
            try {
                if (LibC.INSTANCE.waitpid(pid, status, LibC.WNOHANG) == pid) {
                    return;
                }
            } catch (LastErrorException e) {
                return; // ECHILD: not ours (a grandchild re-parented to init)
            }
            try {
                Thread.sleep(2);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    private static void deleteTree(Path dir) {
        try (Stream<Path> s = Files.walk(dir)) {
            s.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException ignored) {
            // best effort
        }
    }
}
