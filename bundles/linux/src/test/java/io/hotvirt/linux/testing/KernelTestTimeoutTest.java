package io.hotvirt.linux.testing;

import io.hotvirt.linux.ptrace.Tracer;
import org.junit.Assume;
import org.junit.Rule;
import org.junit.Test;
import org.junit.runner.JUnitCore;
import org.junit.runner.Request;
import org.junit.runner.Result;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;

/** A hung trace fails within the limit, its tracee is killed, and its @After still runs. */
public class KernelTestTimeoutTest {

    /** The hung test: waits for a stop of a tracee that never stops. Run only through {@link #aHungTraceFailsInTime()}. */
    public static class HungTrace {

        static volatile int tracee;
        static volatile boolean cleanedUp;
        /** Set only while the outer test runs it: a -Dtest pattern may pick this class up on its own. */
        static volatile boolean armed;

        @Rule
        public final Children children = new Children();
        @Rule(order = KernelTestTimeout.ORDER)
        public final KernelTestTimeout timeout = KernelTestTimeout.seconds(2);

        @org.junit.After
        public void after() {
            cleanedUp = true;
        }

        @Test
        public void waitsForever() throws Exception {
            Assume.assumeTrue("run only by KernelTestTimeoutTest", armed);
            tracee = children.spawn("sleep", "1000");
            try (Tracer tracer = Tracer.start("test-hung")) {
                tracer.seize(tracee);
                tracer.waitStop(tracee); // no PTRACE_INTERRUPT was sent: blocks in waitpid for good
            }
        }
    }

    @Test(timeout = 60_000) // this test's own limit: it traces from the nested runner's thread only
    public void aHungTraceFailsInTime() {
        Privileged.assume("root (ptrace of any process)");
        HungTrace.cleanedUp = false;
        long start = System.nanoTime();
        HungTrace.armed = true;
        Result result;
        try {
            result = new JUnitCore().run(Request.method(HungTrace.class, "waitsForever"));
        } finally {
            HungTrace.armed = false;
        }
        long millis = (System.nanoTime() - start) / 1_000_000;

        assertEquals(1, result.getFailureCount());
        String message = result.getFailures().get(0).getMessage();
        assertTrue(message, message.contains("timed out after 2000 ms") && message.contains(String.valueOf(HungTrace.tracee)));
        assertTrue("the stack shows where it hung: " + result.getFailures().get(0).getTrace(),
                result.getFailures().get(0).getTrace().contains("Tracer.waitStop"));
        assertTrue("failed within the limit and the grace time, took " + millis + " ms",
                millis < 2000 + KernelTestTimeout.GRACE_MILLIS);
        assertTrue("@After ran", HungTrace.cleanedUp);
        assertFalse("the tracee is gone", Children.alive(HungTrace.tracee));
    }
}
