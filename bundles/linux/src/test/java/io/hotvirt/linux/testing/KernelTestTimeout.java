package io.hotvirt.linux.testing;

import com.sun.jna.LastErrorException;
import io.hotvirt.linux.jna.LibC;
import io.hotvirt.linux.proc.Procfs;
import org.junit.rules.TestRule;
import org.junit.runner.Description;
import org.junit.runners.model.Statement;

import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

/**
 * A time limit for a kernel test that traces processes, so that a hung tracee fails the test
 * instead of hanging the build:
 *
 * <pre>
 * &#64;Rule(order = KernelTestTimeout.ORDER)
 * public final KernelTestTimeout timeout = KernelTestTimeout.seconds(60);
 * </pre>
 *
 * <p>The test, its {@code @Before} and its {@code @After} methods run together on one thread of
 * their own (as with JUnit's {@code Timeout} rule); the test's other rules, such as
 * {@link Children}, stay outside on the runner's thread. ptrace ties a tracee to the thread that
 * attached it, so a test must trace through a {@code Tracer} (which owns its thread), never with
 * ptrace calls of its own spread over a {@code @Before} and the test.
 *
 * <p>Unlike JUnit's {@code Timeout}, which leaves a stuck test thread behind, a test out of time
 * gets every process of this JVM's tree SIGKILLed: a tracer blocked in waitpid for a tracee that
 * never stops then returns, the test thread runs its {@code @After} methods (thawing, removing
 * cgroups) and ends, and the next test starts clean. Only then, or after {@link #GRACE_MILLIS} if
 * the thread is stuck elsewhere (a process in a frozen cgroup v1 freezer dies only once thawed),
 * does the test fail, with the stack where it hung. The surefire fork timeout in the parent pom
 * is the last resort beyond this.
 */
public final class KernelTestTimeout implements TestRule {

    /** Innermost of a test's rules: {@link Children} and other rules clean up outside the limit. */
    public static final int ORDER = Integer.MAX_VALUE;
    /** How long the test thread gets to finish (its {@code @After} included) once its processes are killed. */
    static final long GRACE_MILLIS = 10_000;

    private final long millis;

    private KernelTestTimeout(long millis) {
        this.millis = millis;
    }

    public static KernelTestTimeout seconds(long seconds) {
        return new KernelTestTimeout(TimeUnit.SECONDS.toMillis(seconds));
    }

    public static KernelTestTimeout millis(long millis) {
        return new KernelTestTimeout(millis);
    }

    @Override
    public Statement apply(Statement base, Description description) {
        return new Statement() {
            @Override
            public void evaluate() throws Throwable {
                AtomicReference<Throwable> failure = new AtomicReference<>();
                Thread test = new Thread(() -> {
                    try {
                        base.evaluate();
                    } catch (Throwable t) {
                        failure.set(t);
                    }
                }, "kernel-test " + description.getMethodName());
                test.setDaemon(true); // one stuck beyond the grace time must not keep the fork alive
                test.start();
                test.join(millis);
                if (!test.isAlive()) {
                    if (failure.get() != null) {
                        throw failure.get();
                    }
                    return;
                }
                StackTraceElement[] hung = test.getStackTrace();
                Set<Integer> killed = killDescendants();
                test.interrupt();
                test.join(GRACE_MILLIS);
                AssertionError timedOut = new AssertionError(description.getDisplayName() + " timed out after "
                        + millis + " ms; the stack trace shows where it hung. Killed the processes it left: "
                        + killed + (test.isAlive() ? "; its thread is still stuck " + GRACE_MILLIS + " ms later"
                        + " and is left behind" : ""));
                timedOut.setStackTrace(hung);
                if (failure.get() != null) {
                    timedOut.addSuppressed(failure.get());
                }
                throw timedOut;
            }
        };
    }

    /** SIGKILLs every descendant of this JVM (the test's children and the orphans it reaps as subreaper). */
    private static Set<Integer> killDescendants() {
        Set<Integer> all = Procfs.descendants((int) ProcessHandle.current().pid());
        for (int pid : all) {
            try {
                LibC.INSTANCE.kill(pid, 9);
            } catch (LastErrorException e) {
                // gone already
            }
        }
        return all;
    }
}
