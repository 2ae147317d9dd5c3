package io.hotvirt.memory;

import io.hotvirt.linux.cgroup.CgroupMode;
import io.hotvirt.linux.cgroup.Cgroups;
import io.hotvirt.linux.cgroup.DomainCgroup;
import io.hotvirt.linux.process.SpawnRequest;
import io.hotvirt.linux.testing.Children;
import io.hotvirt.linux.testing.Privileged;
import io.hotvirt.memory.kernel.MemoryKnobs;
import io.hotvirt.memory.pages.DomainPages;
import io.hotvirt.memory.pages.MappingPages;
import io.hotvirt.memory.pages.PageCounter;
import io.hotvirt.memory.pages.ProcessPages;
import io.hotvirt.memory.reclaim.ReclaimResult;
import io.hotvirt.memory.reclaim.Reclaimer;
import io.hotvirt.shell.testing.TestDomain;
import org.junit.After;
import org.junit.Assume;
import org.junit.Before;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertNull;
import static org.junit.Assert.assertTrue;
import static org.junit.Assert.fail;

/**
 * The memory capability on the real kernel: a self-checking workload (memhog) in a cgroup of its own,
 * limits written and lifted, the page-table view and reclaim measured from /proc/PID/pagemap. Tests
 * that need swap enable a swap file of their own and remove it afterwards.
 */
public class MemoryKernelTest {

    private static final long PAGE = 4096;
    /** What the kernel reads back for an unlimited v1 limit (PAGE_COUNTER_MAX pages). */
    private static final String V1_UNLIMITED = "9223372036854771712";

    @Rule
    public final TemporaryFolder tmp = new TemporaryFolder();

    @Rule
    public final Children children = new Children();

    private final String top = "hotvirt-memtest-" + UUID.randomUUID().toString().substring(0, 8);
    private Cgroups cgroups;
    private SwapFile swap;
    private Path scratch;

    @Before
    public void setUp() throws IOException {
        cgroups = Privileged.assumeController("memory");
        scratch = tmp.getRoot().toPath();
    }

    @After
    public void tearDown() throws IOException {
        try {
            children.killAll(); // before the cgroups go: a cgroup with processes cannot be removed
        } finally {
            try {
                if (cgroups != null) {
                    for (String path : List.of(top + "/w1", top)) {
                        var cg = cgroups.open(path);
                        if (cg.isPresent()) {
                            cg.get().remove();
                        }
                    }
                }
            } finally {
                if (swap != null) {
                    swap.close();
                }
            }
        }
    }

    private DomainCgroup cgroup() throws IOException {
        return cgroups.create(top + "/w1");
    }

    private CgroupMemoryControl control() {
        return new CgroupMemoryControl(cgroups);
    }

    /** The hard limit file as the kernel shows it. */
    private String limitFile(DomainCgroup cg) throws IOException {
        return cg.read("memory", cgroups.mode() == CgroupMode.V1 ? "memory.limit_in_bytes" : "memory.max");
    }

    private String unlimited() {
        return cgroups.mode() == CgroupMode.V1 ? V1_UNLIMITED : "max";
    }

    @Test
    public void aDomainOverItsLimitIsSwappedOutAndDevirtualizeLiftsTheLimit() throws Exception {
        swap = SwapFile.enable(children, scratch, 256);
        DomainCgroup cg = cgroup();
        Memhog hog = Memhog.start(children, scratch, cg, 128);
        TestDomain domain = new TestDomain("w1", hog.pid, cg);
        MemoryControl control = control();
        MemoryCapability capability = new MemoryCapability(control);
        domain.saveSettings("memory", Map.of("max", Long.toString(64 * Sizes.MIB)));

        capability.virtualize(domain);

        assertEquals(Long.toString(64 * Sizes.MIB), limitFile(cg));
        assertEquals(64 * Sizes.MIB, (long) control.current(domain).max());
        assertTrue("the workload lives under its limit", Children.alive(hog.pid));
        DomainPages pages = control.pages(domain);
        MappingPages area = area(pages, hog);
        long swappedMiB = area.counts().swapped() * PAGE >> 20;
        assertTrue("at least 48 of the 128 MiB are in swap under a 64 MiB limit, but " + swappedMiB + " MiB are",
                swappedMiB >= 48);
        assertTrue("and at most 64 MiB stay resident: " + area.counts(), area.counts().resident() * PAGE <= 64 * Sizes.MIB);
        assertEquals("every page is somewhere", hog.bytes() / PAGE, area.counts().resident() + area.counts().swapped());
        assertTrue(control.usage(domain).current() <= 64 * Sizes.MIB);
        Long swapUse = control.usage(domain).swap();
        assertTrue("the cgroup accounts the swap: " + swapUse, swapUse == null || swapUse >= 48 * Sizes.MIB);

        capability.devirtualize(domain);

        assertEquals(unlimited(), limitFile(cg));
        assertNull(control.current(domain).max());
        assertEquals("settings stay for the next virtualize", Map.of("max", Long.toString(64 * Sizes.MIB)),
                domain.settings("memory"));
        assertEquals("PASS " + hog.bytes() + " bytes", hog.check());
        assertTrue(Children.alive(hog.pid));
    }

    @Test
    public void reclaimPushesPagesOutAndCountsThem() throws Exception {
        swap = SwapFile.enable(children, scratch, 256);
        DomainCgroup cg = cgroup();
        Memhog hog = Memhog.start(children, scratch, cg, 64);
        TestDomain domain = new TestDomain("w1", hog.pid, cg);
        MemoryControl control = control();

        ReclaimResult some = control.reclaim(domain, 16 * Sizes.MIB);

        long asked = 16 * Sizes.MIB / PAGE;
        if (some.method().equals(Reclaimer.PAGEOUT)) {
            // MADV_PAGEOUT moves exactly the pages it is given
            assertTrue("16 MiB asked, " + some.pagesMoved() + " pages moved", some.pagesMoved() >= asked * 9 / 10
                    && some.pagesMoved() <= asked * 11 / 10);
        } else {
            assertTrue("memory.reclaim 16 MiB moved " + some.pagesMoved() + " pages", some.pagesMoved() > 0);
        }
        assertTrue("they went to swap: " + some, some.pagesSwappedOut() >= some.pagesMoved() * 9 / 10);
        assertTrue(Children.alive(hog.pid));

        ReclaimResult all = control.reclaim(domain, null);

        MappingPages area = area(control.pages(domain), hog);
        assertTrue("after reclaiming everything, at most 1/8 of the workload's memory is resident: " + area.counts()
                + "; " + all, area.counts().resident() < hog.bytes() / PAGE / 8);
        assertTrue(all.pagesMoved() > 0);
        assertEquals("PASS " + hog.bytes() + " bytes", hog.check());
        assertTrue(Children.alive(hog.pid));
    }

    @Test
    public void aLimitBelowTheUseNeedsForceAndChangesNothingWithout() throws Exception {
        DomainCgroup cg = cgroup();
        Memhog hog = Memhog.start(children, scratch, cg, 32);
        TestDomain domain = new TestDomain("w1", hog.pid, cg);
        MemoryControl control = control();
        domain.saveSettings("memory", Map.of("high", Long.toString(Sizes.GIB)));
        control.virtualize(domain);

        try {
            control.configure(domain, new MemorySettings(16 * Sizes.MIB, Sizes.GIB, null), false);
            fail("a 16 MiB limit on a domain using 32 MiB needs --force");
        } catch (LimitBelowUseException e) {
            assertTrue(e.getMessage(), e.getMessage().contains("--max 16 MiB is below"));
            assertTrue(e.getMessage(), e.getMessage().contains("--force"));
        }
        assertEquals("nothing changed", unlimited(), limitFile(cg));
        assertEquals(Map.of("high", Long.toString(Sizes.GIB)), domain.settings("memory"));

        // a soft limit below the use is harmless without swap (v1: only under host pressure; v2: throttling)
        List<String> warnings = control.configure(domain, new MemorySettings(null, 16 * Sizes.MIB, null), true);
        assertEquals(1, warnings.size());
        assertEquals(16 * Sizes.MIB, (long) control.current(domain).high());
        assertEquals(Map.of("high", Long.toString(16 * Sizes.MIB)), domain.settings("memory"));

        // a limit above the use needs no force
        assertEquals(List.of(), control.configure(domain, new MemorySettings(Sizes.GIB, null, null), false));
        assertEquals(Long.toString(Sizes.GIB), limitFile(cg));
        assertTrue(Children.alive(hog.pid));
    }

    @Test
    public void virtualizeWritesEveryLimitAndDevirtualizeLiftsThemAll() throws Exception {
        DomainCgroup cg = cgroup();
        Memhog hog = Memhog.start(children, scratch, cg, 8);
        TestDomain domain = new TestDomain("w1", hog.pid, cg);
        MemoryControl control = control();
        boolean v1 = cgroups.mode() == CgroupMode.V1;
        boolean swapLimits = Files.exists(cg.dir("memory").resolve(v1 ? "memory.memsw.limit_in_bytes" : "memory.swap.max"));
        MemorySettings settings = new MemorySettings(Sizes.GIB, 512 * Sizes.MIB, swapLimits ? 256 * Sizes.MIB : null);
        domain.saveSettings("memory", settings.toMap());

        control.virtualize(domain);

        MemoryKnobs knobs = control.current(domain);
        assertEquals(settings, new MemorySettings(knobs.max(), knobs.high(), knobs.swapMax()));
        if (v1) {
            assertEquals(Long.toString(512 * Sizes.MIB), cg.read("memory", "memory.soft_limit_in_bytes"));
            if (swapLimits) {
                assertEquals("v1 limits memory and swap together", Long.toString(Sizes.GIB + 256 * Sizes.MIB),
                        cg.read("memory", "memory.memsw.limit_in_bytes"));
            }
        }

        control.devirtualize(domain);

        assertEquals(new MemorySettings(null, null, null), settingsOf(control.current(domain)));
        assertEquals(unlimited(), limitFile(cg));
        if (v1) {
            assertEquals(V1_UNLIMITED, cg.read("memory", "memory.soft_limit_in_bytes"));
            if (swapLimits) {
                assertEquals(V1_UNLIMITED, cg.read("memory", "memory.memsw.limit_in_bytes"));
            }
        } else {
            assertEquals("max", cg.read("memory", "memory.high"));
        }
        assertEquals("devirtualizing twice is harmless", unlimited(), limitAfterSecondDevirtualize(control, domain, cg));
        assertEquals("PASS " + hog.bytes() + " bytes", hog.check());
    }

    private String limitAfterSecondDevirtualize(MemoryControl control, TestDomain domain, DomainCgroup cg)
            throws IOException {
        control.devirtualize(domain);
        return limitFile(cg);
    }

    @Test
    public void onCgroupV1WithoutSwapALimitTheKernelCannotReachIsRefusedAndNothingChanges() throws Exception {
        DomainCgroup cg = cgroup();
        Assume.assumeTrue("cgroup v1 only (v2 OOM-kills instead of refusing)", cgroups.mode() == CgroupMode.V1);
        Assume.assumeTrue("no swap enabled on the host", HostMemory.read().swapTotal() == 0);
        Memhog hog = Memhog.start(children, scratch, cg, 32);
        TestDomain domain = new TestDomain("w1", hog.pid, cg);
        MemoryControl control = control();
        try {
            control.configure(domain, new MemorySettings(16 * Sizes.MIB, null, null), true);
            fail("without swap the kernel cannot reclaim 32 MiB of anonymous memory below 16 MiB");
        } catch (IOException e) {
            assertTrue(e.getMessage(), e.getMessage().contains("could not reclaim the domain's memory below 16 MiB"));
        }
        assertEquals("put back as it was", V1_UNLIMITED, limitFile(cg));
        assertEquals(Map.of(), domain.settings("memory"));
        assertEquals("PASS " + hog.bytes() + " bytes", hog.check());
    }

    @Test
    public void onCgroupV1ASwapLimitNeedsAHardLimit() throws Exception {
        DomainCgroup cg = cgroup();
        Assume.assumeTrue("cgroup v1 only", cgroups.mode() == CgroupMode.V1);
        Assume.assumeTrue("swap accounting", Files.exists(cg.dir("memory").resolve("memory.memsw.limit_in_bytes")));
        Memhog hog = Memhog.start(children, scratch, cg, 4);
        TestDomain domain = new TestDomain("w1", hog.pid, cg);
        try {
            control().configure(domain, new MemorySettings(null, null, 64 * Sizes.MIB), false);
            fail("v1 cannot limit swap alone");
        } catch (IllegalArgumentException e) {
            assertTrue(e.getMessage(), e.getMessage().contains("give --max too"));
        }
        assertEquals(V1_UNLIMITED, cg.read("memory", "memory.memsw.limit_in_bytes"));
        assertEquals(Map.of(), domain.settings("memory"));
    }

    @Test
    public void thePageTableViewCountsEveryProcessOfTheDomain() throws Exception {
        DomainCgroup cg = cgroup();
        Memhog hog = Memhog.start(children, scratch, cg, 16);
        int sleeper = children.spawn(new SpawnRequest(List.of("sleep", "100"), null, null, cg.procsFiles()));
        Children.await("sleep to join", 5_000, () -> {
            try {
                return cg.pids().contains(sleeper);
            } catch (IOException e) {
                return false;
            }
        });
        TestDomain domain = new TestDomain("w1", hog.pid, cg);

        DomainPages pages = new PageCounter().count(domain.pids());

        assertEquals(2, pages.processes().size());
        MappingPages area = area(pages, hog);
        assertEquals("anon", area.kind());
        assertEquals(hog.bytes() / PAGE, area.counts().pages());
        assertEquals("every page of the filled area is resident", area.counts().pages(), area.counts().resident());
        assertEquals("and private anonymous", area.counts().resident(), area.counts().residentAnon());
        assertEquals(0, area.counts().swapped() + area.counts().notPresent());
        ProcessPages memhog = pages.processes().stream().filter(p -> p.pid() == hog.pid).findFirst().orElseThrow();
        assertEquals("memhog", memhog.command());
        assertTrue("libc's text is page cache: " + memhog.total(), memhog.total().residentFile() > 0);
        assertTrue(memhog.mappings().stream().noneMatch(m -> m.mapping().isKernelArea()));
        long sum = pages.processes().stream().mapToLong(p -> p.total().resident()).sum();
        assertEquals(sum, pages.total().resident());
        assertEquals(pages.total().pages(), pages.total().resident() + pages.total().swapped()
                + pages.total().notPresent());
    }

    private static MappingPages area(DomainPages pages, Memhog hog) {
        return pages.processes().stream().filter(p -> p.pid() == hog.pid).flatMap(p -> p.mappings().stream())
                .filter(m -> m.mapping().contains(hog.address)).findFirst()
                .orElseThrow(() -> new AssertionError("no area at 0x" + Long.toHexString(hog.address)));
    }

    private static MemorySettings settingsOf(MemoryKnobs knobs) {
        return new MemorySettings(knobs.max(), knobs.high(), knobs.swapMax());
    }
}
