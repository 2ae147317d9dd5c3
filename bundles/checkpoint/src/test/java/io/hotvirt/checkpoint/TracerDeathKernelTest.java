package io.hotvirt.checkpoint;

import io.hotvirt.checkpoint.testing.CWorkload;
import io.hotvirt.checkpoint.testing.DumpLoop;
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
import java.nio.file.Path;
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
 * blocked in read, taking timer signals, and a child — must show every thread alive and untraced,
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
        CWorkload w = CWorkload.start(List.of(CWorkload.binary("busy_tree", "-pthread").toString()),
                cgroup.procsFiles(), tmp.getRoot().toPath().resolve("busy.log"), 5000,
                x -> x.log().contains("READY"));
        cleanup.add(w);
        int child = Integer.parseInt(w.fields("READY")[1]);
        assertPass(w, 0, "before any dump");

        long seed = System.nanoTime();
        Random random = new Random(seed);
        Path work = tmp.newFolder("work").toPath();
        long firstDumpMillis = 0;
        int completedBeforeDeath = 0;
        for (int round = 1; round <= ROUNDS; round++) {
            Tracee tracer = Tracee.start(cgroup.path(), work);
            try {
                if (firstDumpMillis == 0) { // learn how long a whole first dump takes, to kill within it
                    firstDumpMillis = Math.max(20, tracer.awaitDumped());
                } else {
                    // anywhere from just before the freeze to just after the first dump's end
                    long delayNanos = (long) (random.nextDouble() * firstDumpMillis * 1.3 * 1_000_000);
                    TimeUnit.NANOSECONDS.sleep(delayNanos);
                }
            } finally {
                tracer.kill();
            }
            if (tracer.dumped() > 0) {
                completedBeforeDeath++;
            }
            String context = "round " + round + " (seed " + seed + ", first dump " + firstDumpMillis + " ms, kill after "
                    + tracer.dumped() + " complete dumps; tracer said: " + tracer.output() + ")";
            assertRunsOn(w.pid, context);
            assertRunsOn(child, context);
            assertPass(w, round, context);
        }
        System.out.println("tracer killed " + ROUNDS + " times (" + completedBeforeDeath + " after a complete dump),"
                + " first dump " + firstDumpMillis + " ms; the workload ran on unharmed every time");
        assertTrue("some deaths must fall inside the first dump", completedBeforeDeath < ROUNDS);
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

    /** The DumpLoop JVM: the tracer to be killed. */
    private static final class Tracee {
        private final Process jvm;
        private final StringBuffer output = new StringBuffer();
        private final AtomicInteger dumped = new AtomicInteger();
        private final CompletableFuture<Long> firstDump = new CompletableFuture<>();

        private Tracee(Process jvm) {
            this.jvm = jvm;
        }

        /** Starts it and waits until it is about to begin its first dump. */
        static Tracee start(String cgroupPath, Path work) throws IOException, InterruptedException {
            // the tracer is not a workload: ProcessBuilder (and the JDK's reaper of it) is fine here
            Process jvm = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                    "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC", "-Xshare:auto",
                    "-cp", System.getProperty("java.class.path"), DumpLoop.class.getName(), cgroupPath, work.toString())
                    .redirectErrorStream(true).start();
            Tracee t = new Tracee(jvm);
            CompletableFuture<Void> ready = new CompletableFuture<>();
            Thread reader = new Thread(() -> {
                try (BufferedReader r = new BufferedReader(new InputStreamReader(jvm.getInputStream()))) {
                    for (String line; (line = r.readLine()) != null; ) {
                        t.output.append(line).append(" | ");
                        if (line.equals("READY")) {
                            ready.complete(null);
                        } else if (line.startsWith("DUMPED ")) {
                            t.dumped.incrementAndGet();
                            t.firstDump.complete(Long.parseLong(line.substring(7)));
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
