package io.hotvirt.itests;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertNotNull;
import static org.junit.Assert.assertTrue;

import io.hotvirt.api.DomainInfo;
import io.hotvirt.api.DomainState;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import org.junit.Assume;
import org.junit.Test;
import org.osgi.framework.Bundle;

/**
 * The memory capability as a hot-swappable bundle: a domain that fills 128 MiB under a 64 MiB limit,
 * with swap available, shows swapped pages in memory:map; stopping io.hotvirt.memory lifts the limit
 * (the cgroup file reads back unlimited), starting it brings the limit back. The workload never stops
 * and its memory checks out afterwards.
 *
 * <p>DRAFT from bundles/memory (itest-draft/): move to itests/src/test/java/io/hotvirt/itests/, add
 * hotvirt-memory to the features (hotvirt-memory feature, listed in `hotvirt`) and delete the draft dir.
 */
public class MemoryHotSwapIT extends HotvirtTestSupport {

    private static final String NAME = PREFIX + "mem";
    private static final String SWAP = "/var/tmp/hotvirt-itest-mem.swap";

    /** Fills N MiB with a pattern (every page differs), then on SIGUSR1 checks it against a hash. */
    private static final String HOG = String.join("\n",
            "import hashlib, mmap, os, signal, sys, time",
            "n = int(sys.argv[1]) << 20; d = sys.argv[2]",
            "m = mmap.mmap(-1, n, flags=mmap.MAP_PRIVATE | mmap.MAP_ANONYMOUS)",
            "page = bytes(range(256)) * 16",
            "for i in range(0, n, 4096): m[i:i + 4096] = page[:4088] + i.to_bytes(8, 'little')",
            "want = hashlib.sha256(m).hexdigest()",
            "def publish(name, text):",
            "    open(d + '/.' + name, 'w').write(text); os.rename(d + '/.' + name, d + '/' + name)",
            "signal.signal(signal.SIGUSR1, lambda s, f: publish('check',"
                    + " 'PASS' if hashlib.sha256(m).hexdigest() == want else 'FAIL'))",
            "publish('ready', 'ready')",
            "while True: time.sleep(1)");

    @Test
    public void underALimitWithSwapPagesAreSwappedAndStoppingTheBundleLiftsTheLimit() throws Exception {
        swapOn();
        try {
            Path dir = tempDir();
            int pid = stray(domains().launch(NAME, List.of("python3", "-c", HOG, "128", dir.toString())).rootPid());
            waitFor("the workload to fill its memory", () -> Files.exists(dir.resolve("ready")));

            assertContains(failing("memory:set " + NAME + " --max 64M"), "--force");
            assertEquals("refused without --force: nothing changed", unlimited(), limitFile());
            assertContains(ok("memory:set " + NAME + " --max 64M --force"), "max 64 MiB");
            assertEquals("67108864", limitFile());

            String map = ok("memory:map " + NAME);
            int swapped = group(map, "\\|\\s*domain " + NAME + "\\s*\\|[^|]*\\|\\s*\\d+\\s*\\|\\s*\\d+\\s*\\|\\s*\\d+"
                    + "\\s*\\|\\s*\\d+\\s*\\|\\s*(\\d+)\\s*\\|");
            assertTrue("at least 48 MiB of 128 in swap under a 64 MiB limit, got " + swapped + " pages",
                    swapped >= 48 * 256);
            assertTrue("the workload lives under its limit", alive(pid));

            Bundle memory = bundle("io.hotvirt.memory");
            memory.stop();
            assertEquals("stopping io.hotvirt.memory lifts the limit", unlimited(), limitFile());
            assertTrue(alive(pid));
            domains().kill(NAME, 10); // SIGUSR1: the workload reads all its memory back
            waitFor("the workload's check", () -> Files.exists(dir.resolve("check")));
            assertEquals("PASS", Files.readString(dir.resolve("check")));

            memory.start();
            waitFor("the memory capability to hold " + NAME, () -> held(NAME));
            assertEquals("starting it applies the saved limit again", "67108864", limitFile());
            assertContains(ok("memory:show " + NAME), "64 MiB");
            assertTrue(alive(pid));
        } finally {
            endDomain(NAME);
            swapOff();
        }
    }

    @Test
    public void badInputIsRefusedAndChangesNothing() throws Exception {
        stray(domains().launch(NAME, List.of("sh", "-c", "while :; do sleep 1; done")).rootPid());
        ok("memory:set " + NAME + " --max 512M");
        assertContains(failing("memory:set " + NAME + " --max 0"), "no memory at all");
        assertContains(failing("memory:set " + NAME + " --max -5M"), "is negative");
        assertContains(failing("memory:set " + NAME + " --max lots"), "is not a size");
        assertContains(failing("memory:set " + NAME + " --high 1.5Q"), "is not a size");
        assertContains(failing("memory:set it-nosuch --max 64M"), "no domain named");
        assertContains(failing("memory:reclaim " + NAME + " --bytes 0"), "reclaims nothing");
        assertContains(ok("memory:show " + NAME), "512 MiB");
        assertEquals(Long.toString(512L << 20), limitFile());
    }

    // ------------------------------------------------------------------ helpers

    private boolean held(String name) {
        try {
            return domains().find(name).map(d -> d.capabilities().contains("memory")).orElse(false);
        } catch (InterruptedException e) {
            return false;
        }
    }

    private static boolean v1() {
        return Files.isDirectory(Path.of("/sys/fs/cgroup/memory"));
    }

    private static String unlimited() {
        return v1() ? "9223372036854771712" : "max";
    }

    private static String limitFile() throws IOException {
        Path file = v1() ? Path.of("/sys/fs/cgroup/memory", CGROUP_ROOT, NAME, "memory.limit_in_bytes")
                : Path.of("/sys/fs/cgroup", CGROUP_ROOT, NAME, "memory.max");
        return Files.readString(file).strip();
    }

    private Bundle bundle(String symbolicName) {
        Bundle bundle = Arrays.stream(bundleContext.getBundles())
                .filter(b -> symbolicName.equals(b.getSymbolicName())).findFirst().orElse(null);
        assertNotNull("bundle " + symbolicName + " installed", bundle);
        return bundle;
    }

    /** Enables a swap file through a helper domain (no ProcessBuilder in the container); skips if impossible. */
    private void swapOn() throws Exception {
        Integer status = runHelper(PREFIX + "swapon", "rm -f " + SWAP + " && fallocate -l 256M " + SWAP + " && chmod 600 "
                + SWAP + " && mkswap " + SWAP + " && swapon " + SWAP);
        if (status == null || status != 0) {
            swapOff();
            String required = System.getProperty("hotvirt.requirePrivileged", "");
            assertTrue("swapon " + SWAP + " failed (status " + status + ") and hotvirt.requirePrivileged=1",
                    !required.equals("1"));
            Assume.assumeTrue("no swap file possible here: skipped", false);
        }
    }

    private void swapOff() throws Exception {
        runHelper(PREFIX + "swapoff", "if grep -q " + SWAP + " /proc/swaps; then swapoff " + SWAP + "; fi; rm -f " + SWAP);
    }

    /** Runs a shell command as a short-lived domain and returns its exit status. */
    private Integer runHelper(String name, String script) throws Exception {
        stray(domains().launch(name, List.of("sh", "-c", "PATH=$PATH:/usr/sbin:/sbin; " + script)).rootPid());
        waitFor(name + " to finish", () -> domains0().find(name).map(i -> i.state() == DomainState.EXITED).orElse(true));
        DomainInfo info = domains().find(name).orElseThrow();
        domains().remove(name);
        return info.exitStatus();
    }

    private void endDomain(String name) throws Exception {
        if (domains().find(name).map(i -> i.state() == DomainState.RUNNING).orElse(false)) {
            domains().kill(name, 9);
            waitFor(name + " to exit", () -> domains0().find(name).map(i -> i.state() == DomainState.EXITED)
                    .orElse(true));
        }
    }

    private io.hotvirt.api.DomainService domains0() {
        try {
            return domains();
        } catch (InterruptedException e) {
            throw new IllegalStateException(e);
        }
    }
}
