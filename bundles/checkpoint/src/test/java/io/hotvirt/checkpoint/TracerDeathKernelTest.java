package io.hotvirt.checkpoint;

import io.hotvirt.checkpoint.testing.CWorkload;
import io.hotvirt.checkpoint.image.NodeKeyStore;
import io.hotvirt.checkpoint.testing.DumpLoop;
import io.hotvirt.checkpoint.testing.Reaping;
import io.hotvirt.checkpoint.testing.RestoreLoop;
import io.hotvirt.linux.cgroup.Cgroups;
import io.hotvirt.linux.cgroup.DomainCgroup;
import io.hotvirt.linux.proc.ProcStat;
import io.hotvirt.linux.proc.ProcStatus;
import io.hotvirt.linux.proc.Procfs;
import io.hotvirt.linux.testing.Children;
import io.hotvirt.linux.testing.Privileged;
import org.junit.After;
import org.junit.Before;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.Assert.assertTrue;
import static org.junit.Assert.fail;

/**
 * kill -9 of hotvirt at any moment of a dump must leave the workload as it was: running, not
 * frozen, not stopped, not traced, no thread killed by a trap it was left with, memory intact. A
 * tracer JVM of its own ({@link DumpLoop}: dumps with --leave-running, again and again) is killed
 * at a random moment, many times over; after each death busy_tree.c — threads spinning, sleeping,
 * blocked in read, taking timer signals, 32 more asleep, and a child — must show every thread alive and untraced,
 * its cgroup thawed, and say PASS: every thread made progress and every buffer is intact.
 * {@code -Dhotvirt.tracerDeathRounds=N} sets the number of deaths (default 200).
 */
public class TracerDeathKernelTest {

    private static final int ROUNDS = Integer.getInteger("hotvirt.tracerDeathRounds", 200);

    @Rule
    public final TemporaryFolder tmp = new TemporaryFolder();

    private final List<AutoCloseable> cleanup = new ArrayList<>();
    private DomainCgroup cgroup;

    @Before
    public void setUp() throws IOException {
        Cgroups cgroups = Privileged.assumeCgroups();
        cgroup = cgroups.create("hotvirt-deathtest-" + UUID.randomUUID().toString().substring(0, 8));
    }

    @After
    public void cleanUp() throws Exception {
        CWorkload.closeAll(cleanup, cgroup);
    }

    @Test(timeout = 20 * 60_000)
    public void aTracerKilledAtAnyMomentOfADumpLeavesTheWorkloadUnharmed() throws Exception {
        // 32 more sleeping threads: more stops and injections per dump, more moments to die in
        CWorkload w = CWorkload.start(List.of(CWorkload.binary("busy_tree", "-pthread").toString(), "32"),
                cgroup.procsFiles(), tmp.getRoot().toPath().resolve("busy.log"), 5000,
                x -> x.log().contains("READY"));
        cleanup.add(w);
        int child = Integer.parseInt(w.fields("READY")[1]);
        assertPass(w, 0, "before any dump");

        long seed = System.nanoTime();
        Random random = new Random(seed);
        Path work = tmp.newFolder("work").toPath();
        // odd rounds: whole dumps; even rounds: only stopping and injecting, again and again
        long[] firstMillis = new long[2];
        int completedBeforeDeath = 0;
        for (int round = 1; round <= ROUNDS; round++) {
            int mode = round % 2;
            Tracee tracer = mode == 1 ? Tracee.start(DumpLoop.class, "DUMPED ", cgroup.path(), work.toString())
                    : Tracee.start(DumpLoop.class, "DUMPED ", cgroup.path(), work.toString(), "--stop-and-inject");
            try {
                if (firstMillis[mode] == 0) { // learn how long a first one takes, to kill within it
                    firstMillis[mode] = Math.max(20, tracer.awaitDumped());
                } else {
                    // anywhere from just before the freeze to just after the end of the first one
                    long delayNanos = (long) (random.nextDouble() * firstMillis[mode] * 1.3 * 1_000_000);
                    TimeUnit.NANOSECONDS.sleep(delayNanos);
                }
            } finally {
                tracer.kill();
            }
            if (tracer.dumped() > 0) {
                completedBeforeDeath++;
            }
            String context = "round " + round + " (seed " + seed + ", " + (mode == 1 ? "whole dumps" : "stop and inject")
                    + ", first took " + firstMillis[mode] + " ms, killed after " + tracer.dumped()
                    + " complete; tracer said: " + tracer.output() + ")";
            assertRunsOn(w.pid, context);
            assertRunsOn(child, context);
            assertPass(w, round, context);
        }
        System.out.println("tracer killed " + ROUNDS + " times (" + completedBeforeDeath + " after a complete dump),"
                + " first dump " + firstMillis[1] + " ms, first stop-and-inject " + firstMillis[0]
                + " ms; the workload ran on unharmed every time");
        assertTrue("some deaths must fall inside the first dump", completedBeforeDeath < ROUNDS);
    }

    /**
     * kill -9 of hotvirt at any moment of a restore leaves all or nothing: before the restored
     * processes are whole, every one of them dies with their tracer (PTRACE_O_EXITKILL) and the
     * cgroup is left empty; once whole, all of them run on, untraced, and busy_tree says PASS.
     */
    @Test(timeout = 10 * 60_000)
    public void aTracerKilledAtAnyMomentOfARestoreLeavesAllOrNothing() throws Exception {
        Path log = tmp.getRoot().toPath().resolve("busy.log");
        CWorkload w = CWorkload.start(List.of(CWorkload.binary("busy_tree", "-pthread").toString()),
                cgroup.procsFiles(), log, 5000, x -> x.log().contains("READY"));
        cleanup.add(w);
        int root = w.pid;
        int child = Integer.parseInt(w.fields("READY")[1]);
        assertPass(w, 0, "before the dump");
        Path keys = tmp.newFolder("keys").toPath();
        Path image = new DomainCheckpointer(new NodeKeyStore(keys), "death-test").checkpoint("busy", cgroup,
                tmp.newFolder("images").toPath(), "busy", new DomainCheckpointer.Options(false), null).image();
        Reaping.reapGone(child);
        Reaping.reapGone(root);
        long logSize = Files.size(log); // a restore refuses a regular file whose size changed: put it back each round

        long seed = System.nanoTime();
        Random random = new Random(seed);
        long firstRestoreMillis = 0;
        int whole = 0;
        int rounds = Math.max(10, ROUNDS / 4);
        for (int round = 1; round <= rounds; round++) {
            try (FileChannel ch = FileChannel.open(log, StandardOpenOption.WRITE)) {
                ch.truncate(logSize);
            }
            Tracee tracer = Tracee.start(RestoreLoop.class, "RESTORED ", image.toString(), keys.toString(), cgroup.path());
            try {
                if (firstRestoreMillis == 0) {
                    firstRestoreMillis = Math.max(20, tracer.awaitDumped());
                } else {
                    TimeUnit.NANOSECONDS.sleep((long) (random.nextDouble() * firstRestoreMillis * 1.3 * 1_000_000));
                }
            } finally {
                tracer.kill();
            }
            String context = "restore round " + round + " (seed " + seed + ", first restore " + firstRestoreMillis
                    + " ms; the restorer said: " + tracer.output() + ")";
            Children.sleep(100); // the kernel's work on the tracer's death: kills, re-parenting
            if (Children.alive(root)) {
                whole++;
                assertRunsOn(root, context);
                assertRunsOn(child, context);
                assertPass(w, round, context);
            } else {
                Children.await("nothing of a half-restored tree to live on, " + context, 3000,
                        () -> !Children.alive(child) && pids().isEmpty());
            }
            Reaping.kill(pids());
            Reaping.kill(List.of(root, child));
            Reaping.reapGone(child);
            Reaping.reapGone(root);
        }
        // orphans of the dead restorers come to this JVM (a child subreaper): no husk may be among them
        List<Integer> husks = Procfs.children((int) ProcessHandle.current().pid()).stream()
                .filter(p -> Procfs.cmdline(p).contains("infinity")).toList(); // sleeping, or at its start gate
        String about = husks.stream().map(p -> p + " " + Procfs.status(p).map(Object::toString).orElse("?") + " "
                + Procfs.stat(p).map(Object::toString).orElse("?")).collect(java.util.stream.Collectors.joining("; "));
        Reaping.kill(husks);
        assertTrue("husks left sleeping by restorers killed while starting them: " + about, husks.isEmpty());
        System.out.println("restorer killed " + rounds + " times, " + whole + " times after the tree was whole"
                + ", first restore " + firstRestoreMillis + " ms");
        assertTrue("some deaths must fall before the tree is whole", whole < rounds);
    }

    private java.util.Set<Integer> pids() {
        try {
            return cgroup.pids();
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }

    /** Every thread of {@code pid} alive, untraced and not stopped, and its cgroup thawed (the guard's doing). */
    private void assertRunsOn(int pid, String context) {
        try {
            Children.await("the cgroup to be thawed, " + context, 3000, () -> {
                try {
                    return !cgroup.frozen();
                } catch (IOException e) {
                    throw new AssertionError(e);
                }
            });
            Children.await("every thread of " + pid + " to be untraced and running, " + context, 3000, () -> {
                if (Procfs.tasks(pid).isEmpty()) {
                    throw new AssertionError("process " + pid + " is gone, " + context);
                }
                for (int tid : Procfs.tasks(pid)) {
                    ProcStat st = Procfs.taskStat(pid, tid).orElse(null);
                    ProcStatus status = Procfs.status(tid).orElse(null);
                    if (st == null || status == null || "tTZXx".indexOf(st.state()) >= 0 || status.tracerPid() != 0) {
                        return false;
                    }
                }
                return true;
            });
        } catch (AssertionError e) {
            StringBuilder states = new StringBuilder();
            for (int tid : Procfs.tasks(pid)) {
                states.append(' ').append(tid).append('=').append(Procfs.taskStat(pid, tid).map(ProcStat::state).orElse('?'));
            }
            throw new AssertionError(e.getMessage() + "; threads:" + states, e);
        }
    }

    private static void assertPass(CWorkload w, int round, String context) {
        String verdict = w.selfCheck(w.pid, l -> l.startsWith("PASS") || l.startsWith("FAIL"), 5000);
        if (!verdict.startsWith("PASS")) {
            fail("busy_tree after " + context + ": " + verdict + "\nlog: " + w.log());
        }
    }

    /** The DumpLoop or RestoreLoop JVM: the tracer to be killed. */
    private static final class Tracee {
        private final Process jvm;
        private final StringBuffer output = new StringBuffer();
        private final AtomicInteger dumped = new AtomicInteger();
        private final CompletableFuture<Long> firstDump = new CompletableFuture<>();

        private Tracee(Process jvm) {
            this.jvm = jvm;
        }

        /**
         * Starts {@code main} with {@code args} and waits until it says READY; each line starting
         * with {@code done} (and a number of milliseconds) counts as one operation done.
         */
        static Tracee start(Class<?> main, String done, String... args) throws IOException, InterruptedException {
            List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                    "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC", "-Xshare:auto",
                    "-cp", System.getProperty("java.class.path"), main.getName()));
            cmd.addAll(List.of(args));
            // the tracer is not a workload: ProcessBuilder (and the JDK's reaper of it) is fine here
            Process jvm = new ProcessBuilder(cmd).redirectErrorStream(true).start();
            Tracee t = new Tracee(jvm);
            CompletableFuture<Void> ready = new CompletableFuture<>();
            Thread reader = new Thread(() -> {
                try (BufferedReader r = new BufferedReader(new InputStreamReader(jvm.getInputStream()))) {
                    for (String line; (line = r.readLine()) != null; ) {
                        t.output.append(line).append(" | ");
                        if (line.equals("READY")) {
                            ready.complete(null);
                        } else if (line.startsWith(done)) {
                            t.dumped.incrementAndGet();
                            t.firstDump.complete(Long.parseLong(line.substring(done.length()).strip()));
                        }
                    }
                } catch (IOException | RuntimeException e) {
                    // killed
                }
                ready.completeExceptionally(new AssertionError("the tracer JVM ended before READY: " + t.output));
                t.firstDump.completeExceptionally(new AssertionError("the tracer JVM ended before a dump: " + t.output));
            }, "death-test-reader");
            reader.setDaemon(true);
            reader.start();
            try {
                ready.get(60, TimeUnit.SECONDS);
            } catch (Exception e) {
                jvm.destroyForcibly();
                throw new AssertionError("tracer JVM not ready: " + e + ", output: " + t.output, e);
            }
            return t;
        }

        long awaitDumped() throws Exception {
            return firstDump.get(60, TimeUnit.SECONDS);
        }

        void kill() throws InterruptedException {
            jvm.destroyForcibly(); // SIGKILL
            jvm.waitFor(30, TimeUnit.SECONDS);
        }

        int dumped() {
            return dumped.get();
        }

        String output() {
            String s = output.toString();
            return s.length() > 2000 ? s.substring(0, 2000) + "…" : s;
        }
    }
}
