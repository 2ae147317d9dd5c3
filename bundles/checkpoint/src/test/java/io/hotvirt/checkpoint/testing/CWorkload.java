package io.hotvirt.checkpoint.testing;

import com.sun.jna.LastErrorException;
import io.hotvirt.checkpoint.ProcessCheckpoint;
import io.hotvirt.linux.cgroup.DomainCgroup;
import io.hotvirt.linux.jna.LibC;
import io.hotvirt.linux.proc.ProcStatus;
import io.hotvirt.linux.proc.Procfs;
import io.hotvirt.linux.process.SpawnRequest;
import io.hotvirt.linux.process.Spawner;
import io.hotvirt.linux.testing.Children;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.function.Predicate;

import static io.hotvirt.linux.process.Signals.SIGCONT;
import static io.hotvirt.linux.process.Signals.SIGSTOP;
import static io.hotvirt.linux.process.Signals.SIGUSR1;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

/**
 * A C workload from src/test/resources/workloads: built with gcc into target/workloads/, spawned
 * with {@link Spawner} (never ProcessBuilder, whose reaper would race our waitpid and ptrace) in
 * its own process group, optionally in cgroups, talking through its log: facts and READY lines
 * at start, a PASS or FAIL verdict on SIGUSR1. Closing kills and reaps the whole group.
 */
public final class CWorkload implements AutoCloseable {

    public final int pid;
    public final Path log;
    private final Children children;

    private CWorkload(int pid, Path log, Children children) {
        this.pid = pid;
        this.log = log;
        this.children = children;
    }

    /**
     * target/workloads/NAME built from NAME.c with {@code gcc -O2 -Wall} and the extra flags, unless
     * a build newer than the source is there already.
     *
     * @throws IOException with gcc's output if it fails
     */
    public static synchronized Path binary(String name, String... extraFlags) throws IOException, InterruptedException {
        Path source = Path.of("src/test/resources/workloads", name + ".c");
        Path binary = Path.of("target/workloads", name);
        if (Files.exists(binary) && Files.getLastModifiedTime(binary).compareTo(Files.getLastModifiedTime(source)) > 0) {
            return binary.toAbsolutePath();
        }
        Files.createDirectories(binary.getParent());
        List<String> cmd = new ArrayList<>(List.of("gcc", "-O2", "-Wall"));
        cmd.addAll(List.of(extraFlags));
        cmd.addAll(List.of("-o", binary.toString(), source.toString()));
        // gcc is a build tool that runs to its end, not a workload: ProcessBuilder is fine for it
        Process gcc = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(gcc.getInputStream().readAllBytes());
        if (!gcc.waitFor(60, TimeUnit.SECONDS) || gcc.exitValue() != 0) {
            throw new IOException(String.join(" ", cmd) + " failed: " + out);
        }
        return binary.toAbsolutePath();
    }

    /**
     * Spawns {@code argv} with its output in {@code log}, in the cgroups whose cgroup.procs files are
     * given (none: where the JVM is), and waits until it is {@code ready} (its log tells). A FAIL line, or
     * no readiness within the timeout, kills it and fails with the log.
     */
    public static CWorkload start(List<String> argv, List<Path> cgroupProcs, Path log, long timeoutMillis,
                                  Predicate<CWorkload> ready) throws IOException {
        Children children = new Children();
        CWorkload w = new CWorkload(children.spawn(new SpawnRequest(argv, null, log, cgroupProcs)), log, children);
        try {
            Children.await(argv.get(0) + " READY", timeoutMillis, () -> {
                if (w.log().lines().anyMatch(l -> l.startsWith("FAIL"))) {
                    throw new AssertionError(argv.get(0) + " failed before READY");
                }
                return ready.test(w);
            });
        } catch (AssertionError e) {
            w.close();
            throw new AssertionError(e.getMessage() + ", log: " + w.log(), e);
        }
        return w;
    }

    /** {@code harness} made from this workload (and its facts); the workload is killed if that fails. */
    public <T> T into(Function<CWorkload, T> harness) {
        try {
            return harness.apply(this);
        } catch (RuntimeException | Error e) {
            close();
            throw e;
        }
    }

    /** Everything the workload printed so far. */
    public String log() {
        return Children.read(log);
    }

    /** The words of the first line starting with the word {@code prefix} ("BUF 7f00 4096" for "BUF"). */
    public String[] fields(String prefix) {
        return log().lines().filter(l -> l.startsWith(prefix + " ")).findFirst()
                .orElseThrow(() -> new AssertionError("no " + prefix + " line in " + log())).split(" ");
    }

    /** The key=value pairs of the first line starting with {@code prefix} ("FDS shared=3 pipe_r=4"). */
    public Map<String, Integer> facts(String prefix) {
        Map<String, Integer> facts = new TreeMap<>();
        String[] f = fields(prefix);
        for (int i = 1; i < f.length; i++) {
            String[] kv = f[i].split("=", 2);
            facts.put(kv[0], Integer.parseInt(kv[1]));
        }
        return facts;
    }

    /** field 2 of each line starting with the word {@code prefix}, by field 1 ("READY child1 42"). */
    public Map<String, Integer> byName(String prefix) {
        Map<String, Integer> out = new TreeMap<>();
        log().lines().filter(l -> l.startsWith(prefix + " ")).map(l -> l.split(" "))
                .forEach(f -> out.put(f[1], Integer.parseInt(f[2])));
        return out;
    }

    /**
     * Sends SIGUSR1 to {@code target} (a process of the workload) and returns the first verdict line
     * (as {@code verdict} says) printed after it, or why there is none.
     */
    public String selfCheck(int target, Predicate<String> verdict, long timeoutMillis) {
        long before = verdicts(verdict).size();
        LibC.INSTANCE.kill(target, SIGUSR1);
        long deadline = System.currentTimeMillis() + timeoutMillis;
        while (System.currentTimeMillis() < deadline) {
            List<String> v = verdicts(verdict);
            if (v.size() > before) {
                return v.get((int) before);
            }
            Children.sleep(10);
        }
        return "no verdict within " + timeoutMillis + " ms: " + log();
    }

    /** {@link #selfCheck(int, Predicate, long)} of the spawned process, which answers PASS or FAIL ... */
    public String selfCheck(long timeoutMillis) {
        return selfCheck(pid, l -> l.startsWith("PASS") || l.startsWith("FAIL"), timeoutMillis);
    }

    private List<String> verdicts(Predicate<String> verdict) {
        return log().lines().filter(verdict).toList();
    }

    /** SIGSTOPs the whole process group and waits until the spawned process and its descendants show state T. */
    public void stop() throws IOException {
        LibC.INSTANCE.kill(-pid, SIGSTOP);
        List<Integer> all = new ArrayList<>(Procfs.descendants(pid));
        all.add(pid);
        long deadline = System.currentTimeMillis() + 5000;
        for (int p : all) {
            while (Procfs.stat(p).map(st -> st.state()).orElse('?') != 'T') {
                if (System.currentTimeMillis() > deadline) {
                    throw new IOException("process " + p + " did not stop");
                }
                Thread.onSpinWait(); // a dump's frozen time starts here: no sleeping
            }
        }
    }

    /** SIGCONTs the whole process group. */
    public void resume() {
        try {
            LibC.INSTANCE.kill(-pid, SIGCONT);
        } catch (LastErrorException ignored) {
            // gone
        }
    }

    /** {@link #stop()} and {@link #resume()} as a checkpoint's way to hold the process still. */
    public ProcessCheckpoint.Stopper stopper() {
        return new ProcessCheckpoint.Stopper() {
            @Override
            public void stop() throws IOException {
                CWorkload.this.stop();
            }

            @Override
            public void resume() {
                CWorkload.this.resume();
            }
        };
    }

    /** Every thread of process {@code pid} untraced and not stopped: released by a freezer or a dump. */
    public static void assertReleased(int pid) {
        for (int tid : Procfs.tasks(pid)) {
            ProcStatus st = Procfs.taskStatus(pid, tid).orElseThrow();
            assertEquals("TracerPid of thread " + tid, 0, st.tracerPid());
            assertTrue("thread " + tid + " state " + st.state(), st.state() != 't' && st.state() != 'T');
        }
    }

    /**
     * A kernel test's cleanup: closes what it started, newest first, then thaws its cgroup, kills
     * whatever is still in it and removes it (null: none).
     */
    public static void closeAll(List<AutoCloseable> started, DomainCgroup cgroup) throws Exception {
        for (int i = started.size() - 1; i >= 0; i--) {
            started.get(i).close();
        }
        if (cgroup != null) {
            if (cgroup.frozen()) {
                cgroup.thaw();
            }
            cgroup.signal(9);
            long deadline = System.currentTimeMillis() + 5000;
            while (!cgroup.pids().isEmpty() && System.currentTimeMillis() < deadline) {
                Thread.sleep(10); // killed processes leave the cgroup once reaped
            }
            cgroup.remove();
        }
    }

    @Override
    public void close() {
        children.killAll();
    }
}
