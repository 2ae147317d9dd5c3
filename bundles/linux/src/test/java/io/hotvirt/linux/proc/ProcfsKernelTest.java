package io.hotvirt.linux.proc;

import com.sun.jna.Pointer;
import io.hotvirt.linux.jna.LibC;
import io.hotvirt.linux.testing.Children;
import io.hotvirt.linux.testing.Privileged;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertNotEquals;
import static org.junit.Assert.assertTrue;

/** The /proc readers on real processes: this JVM and children started for the test. */
public class ProcfsKernelTest {

    @Rule
    public final Children children = new Children();
    @Rule
    public final TemporaryFolder tmp = new TemporaryFolder();

    private static int self() {
        return Math.toIntExact(ProcessHandle.current().pid());
    }

    @Test
    public void statCmdlineTasksOfAChild() throws Exception {
        int pid = children.spawn("sleep", "100");
        Children.await("sleep to exec", 2000, () -> Procfs.stat(pid).map(s -> s.comm().equals("sleep")).orElse(false));
        ProcStat s = Procfs.stat(pid).orElseThrow();
        assertEquals(pid, s.pid());
        assertEquals(self(), s.ppid());
        assertEquals(pid, s.session()); // a session of its own
        assertEquals(1, s.numThreads());
        assertTrue(s.startTimeTicks() > 0);
        assertTrue(Procfs.alive(pid, s.startTimeTicks()));
        assertFalse("another start time is another process", Procfs.alive(pid, s.startTimeTicks() + 1));
        assertEquals(List.of("sleep", "100"), Procfs.cmdline(pid));
        assertEquals(List.of(pid), Procfs.tasks(pid));
        assertTrue(Procfs.pids().contains(pid));
        assertTrue(Procfs.children(self()).contains(pid));
        assertTrue(Procfs.exe(pid).orElseThrow().endsWith("/sleep"));

        ProcStatus status = Procfs.status(pid).orElseThrow();
        assertEquals("sleep", status.name());
        assertEquals(pid, status.tgid());
        assertEquals(1, status.threads());
        assertEquals(0L, status.sigBlk()); // the spawner cleared the JVM's signal mask
        assertEquals(0L, status.sigIgn()); // … and its ignored signals

        children.killAll();
        assertTrue(Procfs.stat(pid).isEmpty());
        assertFalse(Procfs.alive(pid, s.startTimeTicks()));
        assertEquals(List.of(), Procfs.cmdline(pid));
        assertEquals(List.of(), Procfs.tasks(pid));
        assertEquals(List.of(), Procfs.cgroups(pid));
        assertTrue(Procfs.status(pid).isEmpty());
    }

    @Test
    public void commWithParenthesesAndSpacesFromTheExecutableName() throws Exception {
        Path odd = tmp.getRoot().toPath().resolve("a) (b");
        Files.createSymbolicLink(odd, Path.of(Procfs.exe(children.spawn("sleep", "100")).orElseThrow()));
        int pid = children.spawn(odd.toString(), "100");
        Children.await("the odd name to exec", 3000, () -> Procfs.stat(pid).map(s -> s.comm().equals("a) (b")).orElse(false));
        ProcStat s = Procfs.stat(pid).orElseThrow();
        assertEquals(self(), s.ppid());
        assertEquals(pid, s.session());
    }

    @Test
    public void zombieIsNotAlive() throws Exception {
        int pid = children.spawn("true");
        Children.await("true to exit", 2000, () -> Procfs.stat(pid).map(ProcStat::dead).orElse(true));
        ProcStat zombie = Procfs.stat(pid).orElseThrow(); // not reaped yet: a zombie
        assertEquals('Z', zombie.state());
        assertFalse(Procfs.alive(pid, zombie.startTimeTicks()));
    }

    @Test
    public void cgroupsOfThisProcessMatchTheFile() throws Exception {
        List<CgroupEntry> entries = Procfs.cgroups(self());
        assertFalse(entries.isEmpty());
        List<String> lines = Files.readAllLines(Path.of("/proc/self/cgroup"));
        assertEquals(lines.size(), entries.size());
        for (int i = 0; i < lines.size(); i++) {
            CgroupEntry e = entries.get(i);
            assertEquals(lines.get(i), e.hierarchyId() + ":" + e.key() + ":" + e.path());
        }
    }

    @Test
    public void threadsOfThisJvm() {
        List<Integer> tasks = Procfs.tasks(self());
        assertTrue(tasks.size() > 1);
        assertTrue(tasks.contains(self()));
        int other = tasks.get(tasks.size() - 1);
        assertEquals(other, Procfs.taskStat(self(), other).orElseThrow().pid());
        assertTrue(Procfs.taskStatus(self(), other).isPresent());
    }

    @Test
    public void descendantsOfAShellTree() throws Exception {
        int sh = children.spawn("sh", "-c", "sleep 100 & sh -c 'sleep 100 & wait' & wait");
        // forked shells become sleeps only at their exec: wait for the finished tree
        Children.await("3 descendants, 2 of them sleeping", 3000,
                () -> Procfs.descendants(sh).size() == 3 && sleeps(Procfs.descendants(sh)) == 2);
        Set<Integer> all = Procfs.descendants(sh);
        assertFalse(all.contains(sh));
        for (int p : all) {
            int parent = Procfs.stat(p).orElseThrow().ppid();
            assertTrue(parent == sh || all.contains(parent));
        }
        assertEquals(2, Procfs.children(sh).size());
        assertTrue(Procfs.descendants(Integer.MAX_VALUE - 1).isEmpty());
    }

    private static long sleeps(Set<Integer> pids) {
        return pids.stream().filter(p -> Procfs.stat(p).map(s -> s.comm().equals("sleep")).orElse(false)).count();
    }

    @Test
    public void mapsOfAChild() throws Exception {
        int pid = children.spawn("sleep", "100");
        // exe names sleep from execve on, but the dynamic loader maps libc a moment later
        Children.await("sleep to exec and map libc", 2000, () -> Procfs.exe(pid).map(e -> e.endsWith("/sleep")).orElse(false)
                && libcMapped(pid));
        List<MemoryMapping> maps = Procfs.maps(pid);
        assertTrue(maps.stream().anyMatch(MemoryMapping::isStack));
        assertTrue(maps.stream().anyMatch(MemoryMapping::isVdso));
        assertTrue(maps.stream().anyMatch(m -> m.executable() && m.isFile() && m.path().endsWith("/sleep")));
        assertTrue(maps.stream().anyMatch(m -> m.path().contains("libc")));
        for (int i = 1; i < maps.size(); i++) {
            assertTrue(Long.compareUnsigned(maps.get(i - 1).end(), maps.get(i).start()) <= 0);
        }
    }

    @Test
    public void pagemapTellsTouchedFromUntouchedPages() throws Exception {
        Privileged.assume("root (page frame numbers in pagemap need CAP_SYS_ADMIN)");
        long page = Procfs.pageSize();
        LibC c = LibC.INSTANCE;
        Pointer area = c.mmap(null, 4 * page, LibC.PROT_READ | LibC.PROT_WRITE, LibC.MAP_PRIVATE | LibC.MAP_ANONYMOUS, -1, 0);
        Pointer shared = c.mmap(null, page, LibC.PROT_READ | LibC.PROT_WRITE, LibC.MAP_SHARED | LibC.MAP_ANONYMOUS, -1, 0);
        try {
            area.setByte(0, (byte) 1);
            area.setByte(2 * page, (byte) 2);
            shared.setByte(0, (byte) 3);
            long start = Pointer.nativeValue(area);
            assertTrue(Procfs.maps(self()).stream().anyMatch(m -> m.contains(start) && m.isAnonymous()));
            try (Pagemap map = Procfs.pagemap(self())) {
                List<PageEntry> pages = map.read(start, start + 4 * page);
                assertEquals(4, pages.size());
                assertEquals(start + page, pages.get(1).address());
                PageEntry touched = pages.get(0);
                assertTrue(touched.present());
                assertTrue(touched.exclusive());
                assertFalse(touched.fileOrSharedAnon());
                assertTrue("root sees page frame numbers", touched.pfn() > 0);
                assertTrue(pages.get(1).unpopulated());
                assertTrue(pages.get(2).present());
                assertNotEquals(touched.pfn(), pages.get(2).pfn());
                assertTrue(pages.get(3).unpopulated());

                PageEntry sharedPage = map.read(Pointer.nativeValue(shared), Pointer.nativeValue(shared) + page).get(0);
                assertTrue(sharedPage.present() && sharedPage.fileOrSharedAnon());

                assertEquals(0L, map.readRaw(0xffffffffff600000L, 1)[0]); // [vsyscall]: kernel space, no entry
            }
        } finally {
            c.munmap(area, 4 * page);
            c.munmap(shared, page);
        }
    }

    @Test
    public void fileDescriptorsOfAChild() throws Exception {
        Path log = tmp.getRoot().toPath().resolve("child.log");
        int pid = children.spawnLogged(log, "sh", "-c", "echo hi; exec sleep 100");
        // exe names sleep from execve on, but the dynamic loader maps libc a moment later
        Children.await("sleep to exec and map libc", 2000, () -> Procfs.exe(pid).map(e -> e.endsWith("/sleep")).orElse(false)
                && libcMapped(pid));
        List<FdInfo> fds = Procfs.fds(pid);
        assertEquals("only stdin, stdout and stderr: nothing leaked from the JVM", List.of(0, 1, 2),
                fds.stream().map(FdInfo::fd).toList());
        FdInfo in = fds.get(0);
        assertEquals("/dev/null", in.target());
        assertEquals(0, in.accessMode());
        FdInfo out = fds.get(1);
        assertEquals(log.toString(), out.target());
        assertTrue(out.append() && out.writable());
        assertEquals(3, out.pos()); // "hi\n"
        assertTrue(out.mntId() > 0);
        assertEquals(Files.getAttribute(log, "unix:ino"), out.inode());
        assertEquals(out.target(), fds.get(2).target());
        assertTrue(Procfs.fd(pid, 42).isEmpty());
    }

    @Test
    public void clockTicksAndPageSize() {
        assertEquals(100, Procfs.ticksPerSecond());
        assertEquals(4096, Procfs.pageSize());
    }

    @Test(expected = java.io.IOException.class)
    public void mapsOfAVanishedProcessFail() throws Exception {
        Procfs.maps(Integer.MAX_VALUE - 1);
    }

    private static boolean libcMapped(int pid) {
        try {
            return Procfs.maps(pid).stream().anyMatch(m -> m.path().contains("libc"));
        } catch (IOException e) {
            return false;
        }
    }
}
