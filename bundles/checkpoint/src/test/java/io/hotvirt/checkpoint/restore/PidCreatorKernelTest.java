package io.hotvirt.checkpoint.restore;

import io.hotvirt.linux.jna.Syscall;
import io.hotvirt.linux.proc.Procfs;
import io.hotvirt.linux.ptrace.SyscallInjector;
import io.hotvirt.linux.ptrace.Tracer;
import io.hotvirt.linux.testing.KernelTestTimeout;
import io.hotvirt.linux.testing.Privileged;
import org.junit.Rule;
import org.junit.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.ThreadLocalRandom;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;
import static org.junit.Assert.fail;

/** clone3 with set_tid injected into a husk, on the real kernel. */
public class PidCreatorKernelTest {

    /** Every test here traces processes: a hung tracee fails the test, not the build. */
    @Rule(order = KernelTestTimeout.ORDER)
    public final KernelTestTimeout timeout = KernelTestTimeout.seconds(60);

    @Test
    public void createsAProcessWithTheWantedPidAsAChildOfTheHusk() throws Exception {
        Privileged.assume("root (ptrace, clone3 set_tid needs CAP_CHECKPOINT_RESTORE)");
        int child = -1;
        try (Tracer tracer = Tracer.start("pid-test");
             Husk husk = Husk.start(tracer, HuskBinary.path(), 5_000)) {
            int h = husk.pid();
            long scratch = husk.injector().mapScratch(h, 4096);
            String lastPid = sysctl("ns_last_pid");
            int wanted = freePid();
            try {
                child = new PidCreator(tracer).create(husk.injector(), h, scratch, wanted);
                assertEquals(wanted, child);
                assertEquals(h, Procfs.stat(child).orElseThrow().ppid());
                assertEquals('t', Procfs.stat(child).orElseThrow().state()); // traced and stopped
                int tracerTid = Procfs.status(child).orElseThrow().tracerPid();
                assertTrue("traced by " + tracerTid + ", not a thread of this JVM",
                        Files.exists(Path.of("/proc/self/task", Integer.toString(tracerTid))));
                // the child is ready for injection: it is its own process now
                SyscallInjector inChild = new SyscallInjector(tracer, child);
                assertEquals(wanted, inChild.call(child, "getpid", Syscall.GETPID));
                assertEquals(h, inChild.call(child, "getppid", 110));
                // the husk is still a working husk: it runs injected syscalls too
                assertEquals(h, husk.injector().call(h, "getpid", Syscall.GETPID));
                System.out.println("clone3 set_tid: created PID " + child + " under husk " + h + " (ns_last_pid was "
                        + lastPid + ", pid_max " + sysctl("pid_max") + ")");
            } finally {
                if (child > 0) {
                    new PidCreator(tracer).destroy(husk.injector(), h, child);
                }
            }
            assertFalse("process " + child + " left behind (a zombie?) while its husk still lives", Husk.exists(child));
        }
    }

    @Test
    public void aTakenPidIsNamedWithTheNewPidnsHint() throws Exception {
        Privileged.assume("root (ptrace, clone3 set_tid needs CAP_CHECKPOINT_RESTORE)");
        try (Tracer tracer = Tracer.start("pid-test");
             Husk husk = Husk.start(tracer, HuskBinary.path(), 5_000)) {
            int h = husk.pid();
            long scratch = husk.injector().mapScratch(h, 4096);
            int taken = (int) ProcessHandle.current().pid();
            try {
                int child = new PidCreator(tracer).create(husk.injector(), h, scratch, taken);
                new PidCreator(tracer).destroy(husk.injector(), h, child);
                fail("created PID " + child + " although " + taken + " is taken");
            } catch (IOException e) {
                assertTrue(e.getMessage(), e.getMessage().startsWith("PID " + taken + " is taken"));
                assertTrue(e.getMessage(), e.getMessage().contains("--new-pidns"));
                System.out.println("taken PID: " + e.getMessage());
            }
            // the husk survived the failed clone3 and still works
            assertEquals(h, husk.injector().call(h, "getpid", Syscall.GETPID));
        }
    }

    /** A PID well ahead of the last one handed out, and free now. */
    static int freePid() throws IOException {
        int last = Integer.parseInt(sysctl("ns_last_pid"));
        int max = Integer.parseInt(sysctl("pid_max"));
        for (int attempt = 0; attempt < 1000; attempt++) {
            int candidate = last + 500 + ThreadLocalRandom.current().nextInt(2000);
            if (candidate >= max) {
                candidate = 300 + candidate % (max - 300);
            }
            if (!Files.exists(Path.of("/proc", Integer.toString(candidate)))) {
                return candidate;
            }
        }
        throw new IOException("no free PID found near " + last);
    }

    /**
     * /proc/sys/kernel/NAME in one read: Files.readString reads a size-0 file one byte first, and a
     * sysctl integer file answers a read at offset 1 with EOF — "32768" would come back as "3".
     */
    static String sysctl(String name) throws IOException {
        try (var in = Files.newInputStream(Path.of("/proc/sys/kernel", name))) {
            return new String(in.readNBytes(64), java.nio.charset.StandardCharsets.US_ASCII).strip();
        }
    }

}
