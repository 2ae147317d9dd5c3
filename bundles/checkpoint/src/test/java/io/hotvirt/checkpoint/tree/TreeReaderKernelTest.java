package io.hotvirt.checkpoint.tree;

import io.hotvirt.checkpoint.files.FilesTreeWorkload;
import io.hotvirt.linux.testing.KernelTestTimeout;
import io.hotvirt.linux.testing.Privileged;
import io.hotvirt.linux.proc.MemoryMapping;
import io.hotvirt.linux.proc.Procfs;
import org.junit.Rule;
import org.junit.Test;

import java.util.List;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;

/** The tree of a real forked workload: order, ids, credentials, cwd, umask, rlimits, mm fields. */
public class TreeReaderKernelTest {

    /** Every test here traces processes: a hung tracee fails the test, not the build. */
    @Rule(order = KernelTestTimeout.ORDER)
    public final KernelTestTimeout timeout = KernelTestTimeout.seconds(30);

    @Test
    public void readsTheTreeParentsFirst() throws Exception {
        Privileged.assume("root (the mm fields of /proc/PID/stat need ptrace access)");
        try (FilesTreeWorkload w = FilesTreeWorkload.start(10_000)) {
            List<ProcessRecord> tree;
            w.stop();
            try {
                // given children first: the reader must order them
                tree = TreeReader.read(List.of(w.child2, w.child1, w.parent));
            } finally {
                w.resume();
            }
            assertEquals(List.of(w.parent, w.child1, w.child2), tree.stream().map(ProcessRecord::pid).toList());
            String dir = w.dir.toRealPath().toString();
            int jvm = (int) ProcessHandle.current().pid();
            for (ProcessRecord r : tree) {
                String what = r.toString();
                assertEquals(what, r.pid() == w.parent ? jvm : w.parent, r.ppid());
                assertEquals(what, w.parent, r.pgid()); // Spawner starts a new session
                assertEquals(what, w.parent, r.sid());
                assertEquals(what, List.of(r.pid()), r.threads());
                Credentials c = r.credentials();
                assertEquals(what, List.of(0, 0, 0, 0, 0, 0, 0, 0),
                        List.of(c.uid(), c.euid(), c.suid(), c.fsuid(), c.gid(), c.egid(), c.sgid(), c.fsgid()));
                assertEquals(what, dir, r.cwd());
                assertEquals(what, "/", r.root());
                assertEquals(what, 027, r.umask());
                Rlimit nofile = r.rlimit(Rlimit.RLIMIT_NOFILE);
                assertEquals(what, 512, nofile.soft());
                assertTrue(what, nofile.hard() >= 512 || nofile.hard() == Rlimit.INFINITY);
                assertEquals(16, r.rlimits().size());
                assertEquals("files_tree", r.comm());
                assertEquals(w.binary.toRealPath().toString(), r.exe());
                checkMm(r);
            }
        }
    }

    private static void checkMm(ProcessRecord r) throws Exception {
        MmFields mm = r.mm();
        String what = r.pid() + " " + mm;
        List<MemoryMapping> maps = Procfs.maps(r.pid());
        MemoryMapping heap = only(maps, "[heap]");
        MemoryMapping stack = only(maps, "[stack]");
        MemoryMapping vdso = only(maps, "[vdso]");
        assertTrue(what, mm.startCode() > 0 && mm.startCode() < mm.endCode());
        MemoryMapping code = containing(maps, mm.startCode());
        assertTrue(what, code.executable());
        assertTrue(what, mm.startData() <= mm.endData());
        assertEquals(what, heap.end(), mm.brk());
        assertTrue(what, mm.startBrk() >= heap.start() && mm.startBrk() < heap.end());
        assertTrue(what, stack.start() <= mm.startStack() && mm.startStack() < stack.end());
        assertTrue(what, stack.start() <= mm.argStart() && mm.argStart() < mm.argEnd() && mm.argEnd() <= stack.end());
        assertTrue(what, stack.start() <= mm.envStart() && mm.envStart() < mm.envEnd() && mm.envEnd() <= stack.end());
        // task->exit_code: a job-control stop leaves the stop signal there (SIGSTOP = 19)
        assertEquals(what, 19, mm.exitCode());
        assertFalse(what, mm.auxv().isEmpty());
        assertEquals(what, 4096L, (long) mm.aux(AuxEntry.AT_PAGESZ).orElseThrow());
        assertEquals(what, vdso.start(), (long) mm.aux(AuxEntry.AT_SYSINFO_EHDR).orElseThrow());
        assertEquals(what, vdso.start(), mm.area("[vdso]").orElseThrow().start());
        assertEquals(what, vdso.end(), mm.area("[vdso]").orElseThrow().end());
        assertTrue(what, mm.area("[vvar]").isPresent());
        long entry = mm.aux(AuxEntry.AT_ENTRY).orElseThrow();
        assertTrue(what, containing(maps, entry).executable());
    }

    private static MemoryMapping only(List<MemoryMapping> maps, String name) {
        List<MemoryMapping> m = maps.stream().filter(x -> x.path().equals(name)).toList();
        assertEquals(name + " in " + maps, 1, m.size());
        return m.get(0);
    }

    private static MemoryMapping containing(List<MemoryMapping> maps, long address) {
        return maps.stream().filter(m -> m.start() <= address && address < m.end()).findFirst()
                .orElseThrow(() -> new AssertionError("no mapping holds 0x" + Long.toHexString(address)));
    }
}
