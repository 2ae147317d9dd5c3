package io.hotvirt.checkpoint.restore;

import io.hotvirt.linux.jna.Syscall;
import io.hotvirt.linux.proc.Procfs;
import io.hotvirt.linux.ptrace.ProcessMemory;
import io.hotvirt.linux.ptrace.Tracer;
import io.hotvirt.linux.testing.KernelTestTimeout;
import io.hotvirt.linux.testing.Privileged;
import org.junit.Rule;
import org.junit.Test;

import java.nio.charset.StandardCharsets;

import static org.junit.Assert.assertArrayEquals;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;

/** A husk on the real kernel: spawned, seized, stopped, and syscalls injected into it. */
public class HuskKernelTest {

    /** Every test here traces processes: a hung tracee fails the test, not the build. */
    @Rule(order = KernelTestTimeout.ORDER)
    public final KernelTestTimeout timeout = KernelTestTimeout.seconds(60);

    @Test
    public void huskIsSeizedAndRunsInjectedSyscalls() throws Exception {
        Privileged.assume("root (ptrace)");
        int pid;
        try (Tracer tracer = Tracer.start("husk-test");
             Husk husk = Husk.start(tracer, HuskBinary.path(), 5_000)) {
            pid = husk.pid();
            assertEquals('t', (char) Procfs.stat(pid).orElseThrow().state()); // ptrace-stopped
            assertEquals(pid, husk.injector().call(pid, "getpid", Syscall.GETPID));
            long scratch = husk.injector().mapScratch(pid, 4096);
            byte[] hello = "hello husk".getBytes(StandardCharsets.US_ASCII);
            ProcessMemory.write(pid, scratch, hello);
            assertArrayEquals(hello, ProcessMemory.read(pid, scratch, hello.length));
            assertTrue(Procfs.maps(pid).stream().anyMatch(m -> m.start() == scratch));
            husk.injector().unmap(pid, scratch, 4096);
            assertFalse(Procfs.maps(pid).stream().anyMatch(m -> m.start() == scratch));
        }
        assertFalse("husk " + pid + " still exists", Husk.exists(pid));
    }
}
