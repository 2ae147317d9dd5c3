package io.hotvirt.checkpoint.restore;

import com.google.gson.GsonBuilder;
import com.sun.jna.Memory;
import com.sun.jna.Pointer;
import io.hotvirt.checkpoint.DomainCheckpointer;
import io.hotvirt.checkpoint.files.FileDescription;
import io.hotvirt.checkpoint.files.FileIdentity;
import io.hotvirt.checkpoint.files.FileKind;
import io.hotvirt.checkpoint.files.FileReader;
import io.hotvirt.checkpoint.files.FileTable;
import io.hotvirt.checkpoint.files.FilesTreeWorkload;
import io.hotvirt.checkpoint.image.ImageFormat;
import io.hotvirt.linux.jna.LibC;
import io.hotvirt.linux.jna.Syscall;
import io.hotvirt.linux.proc.FdInfo;
import io.hotvirt.linux.proc.Kcmp;
import io.hotvirt.linux.proc.Procfs;
import io.hotvirt.linux.process.PipePeek;
import io.hotvirt.linux.ptrace.SyscallInjector;
import io.hotvirt.linux.ptrace.Tracer;
import io.hotvirt.linux.testing.KernelTestTimeout;
import io.hotvirt.linux.testing.Privileged;
import org.junit.After;
import org.junit.Rule;
import org.junit.Test;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.Function;
import java.util.stream.Stream;

import static io.hotvirt.linux.jna.LibC.O_DIRECTORY;
import static io.hotvirt.linux.jna.LibC.O_LARGEFILE;
import static org.junit.Assert.assertArrayEquals;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;
import static org.junit.Assert.fail;

/**
 * Open files restored into husk clones on the real kernel: a real table read from the files_tree
 * workload (through files.json), then tables made by hand for the kinds the workload lacks, and
 * the errors. Each restored table is read back with the checkpoint's own {@link FileReader} and
 * compared with the saved one.
 */
public class FileRestorerKernelTest {

    /** Every test here traces processes: a hung tracee fails the test, not the build. */
    @Rule(order = KernelTestTimeout.ORDER)
    public final KernelTestTimeout timeout = KernelTestTimeout.seconds(60);

    private Tracer tracer;
    private Husk husk;
    private final List<Integer> clones = new ArrayList<>();
    private final List<Path> temporary = new ArrayList<>();

    @After
    public void cleanUp() {
        if (husk != null) {
            PidCreator creator = new PidCreator(tracer);
            for (int c : clones) {
                creator.destroy(husk.injector(), husk.pid(), c);
            }
            husk.close();
        }
        if (tracer != null) {
            tracer.close();
        }
        for (Path p : temporary) {
            try (Stream<Path> s = Files.walk(p)) {
                s.sorted(Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
            } catch (IOException ignored) {
                // best effort
            }
        }
    }

    @Test
    public void restoresTheFilesTreeWorkloadFromItsImage() throws Exception {
        Privileged.assume("root (ptrace, clone3 set_tid, pidfd_getfd, kcmp)");
        try (FilesTreeWorkload w = FilesTreeWorkload.start(10_000)) {
            FileTable saved;
            w.stop();
            try {
                saved = FileReader.read(w.pids());
            } finally {
                w.resume();
            }
            // through files.json and the pipe data files, as DomainCheckpointer writes them
            Path image = Files.createTempDirectory("hotvirt-files-image");
            temporary.add(image);
            writeImage(image, saved);
            FileTable loaded = FileRestorer.load(image);
            assertEquals(saved.descriptions(), loaded.descriptions());
            assertEquals(saved.processes(), loaded.processes());
            assertEquals(saved.pipeData().keySet(), loaded.pipeData().keySet());
            saved.pipeData().forEach((k, v) -> assertArrayEquals(k, v, loaded.pipeData().get(k)));

            Map<Integer, RestoringProcess> ps = processes(3);
            List<Integer> now = new ArrayList<>(ps.keySet());
            List<Integer> was = new ArrayList<>(new TreeSet<>(w.pids()));
            Map<Integer, Integer> pidMap = new HashMap<>();
            for (int i = 0; i < 3; i++) {
                pidMap.put(was.get(i), now.get(i)); // in order, so the owners stay the lowest pids
            }
            FileTable table = remap(loaded, pidMap);
            long t0 = System.nanoTime();
            new FileRestorer(table, ps).restore();
            long micros = (System.nanoTime() - t0) / 1000;

            FileTable restored = FileReader.read(now);
            assertSameFiles(table, restored);

            int parent = pidMap.get(w.parent);
            int child1 = pidMap.get(w.child1);
            int child2 = pidMap.get(w.child2);
            int shared = w.fds.get("shared");
            assertTrue(Kcmp.sameFile(parent, shared, child1, shared));
            assertTrue(Kcmp.sameFile(parent, shared, child2, shared));
            assertEquals(13, Procfs.fd(child2, shared).orElseThrow().pos());
            assertFalse(Kcmp.sameFile(child1, w.separate.get("child1"), child2, w.separate.get("child2")));
            assertEquals(200, Procfs.fd(child2, w.separate.get("child2")).orElseThrow().pos());
            assertTrue(Kcmp.sameFile(parent, w.fds.get("eventfd"), child2, w.fds.get("eventfd")));
            assertEquals(7, count(child1, w.fds.get("eventfd")));
            assertArrayEquals("0123456789".getBytes(StandardCharsets.US_ASCII), PipePeek.peek(child1, w.fds.get("pipe_r")));
            assertEquals(ino(child1, w.fds.get("pipe_r")), ino(parent, w.fds.get("pipe_w")));
            System.out.println("restored " + table.descriptions().size() + " descriptions, "
                    + table.processes().stream().mapToInt(p -> p.fds().size()).sum() + " fds of files_tree into "
                    + now + " in " + micros + " µs");

            w.assertSelfChecksPass(); // the workload itself was not touched
        }
    }

    @Test
    public void restoresFifosBigPipesEventfdsSocketpairsAndDevices() throws Exception {
        Privileged.assume("root (ptrace, clone3 set_tid, pidfd_getfd, kcmp)");
        Map<Integer, RestoringProcess> ps = processes(2);
        List<Integer> pids = new ArrayList<>(ps.keySet());
        int a = pids.get(0);
        int b = pids.get(1);
        Path dir = Files.createTempDirectory("hotvirt-files-restore");
        temporary.add(dir);
        Path fifo = dir.resolve("fifo");
        run("mkfifo", fifo.toString());
        Path file = dir.resolve("log.txt");
        Files.writeString(file, "0123456789");
        String pts = openPts();

        Table t = new Table();
        // a FIFO with data: the read end (non-blocking) in a and b, the write end in b
        String fifoData = "fifo data";
        FileIdentity fifoId = identity(fifo);
        t.add(FileKind.FIFO, fifo.toString(), LibC.O_RDONLY | LibC.O_NONBLOCK | O_LARGEFILE, 0, fifoId,
                "pipe-" + fifoId.ino(), fifoData.length(), 0, 0, List.of(), new int[][] {{a, 3, 0}, {b, 7, 1}});
        t.add(FileKind.FIFO, fifo.toString(), LibC.O_WRONLY | O_LARGEFILE, 0, fifoId,
                "pipe-" + fifoId.ino(), fifoData.length(), 0, 0, List.of(), new int[][] {{b, 4, 1}});
        t.data.put("pipe-" + fifoId.ino(), fifoData.getBytes(StandardCharsets.US_ASCII));
        // an anonymous pipe holding more than its default capacity: write end in a, read end in b
        byte[] big = new byte[100_000];
        for (int i = 0; i < big.length; i++) {
            big[i] = (byte) (i * 31 + 7);
        }
        FileIdentity pipeId = new FileIdentity(15, 4242, 010600, 0, 0, 15);
        t.add(FileKind.PIPE, "pipe:[4242]", LibC.O_WRONLY | LibC.O_NONBLOCK, 0, pipeId, "pipe-4242", big.length, 0, 0,
                List.of(), new int[][] {{a, 5, 1}});
        t.add(FileKind.PIPE, "pipe:[4242]", LibC.O_RDONLY, 0, pipeId, "pipe-4242", big.length, 0, 0, List.of(),
                new int[][] {{b, 5, 0}});
        t.data.put("pipe-4242", big);
        // an eventfd above 2^32 in semaphore mode at fd 0 of both (b receives it straight onto fd 0)
        long count = 0x1_0000_0005L;
        t.add(FileKind.EVENTFD, "anon_inode:[eventfd]", LibC.O_RDWR | LibC.O_NONBLOCK, 0,
                new FileIdentity(16, 77, 0600, 0, 0, 16), null, 0, count, 0, List.of("eventfd-semaphore: 1"),
                new int[][] {{a, 0, 1}, {b, 0, 1}});
        // a datagram socketpair: one end in a (and three times in b), the other in b
        t.add(FileKind.UNIX_SOCKET, "socket:[111]", LibC.O_RDWR | LibC.O_NONBLOCK, 0,
                new FileIdentity(8, 111, 0140777, 0, 0, 8), null, 0, 0, 222, List.of(FileReader.UNIX_TYPE + " 2"),
                new int[][] {{a, 1, 0}, {b, 9, 0}, {b, 10, 1}, {b, 11, 0}});
        t.add(FileKind.UNIX_SOCKET, "socket:[222]", LibC.O_RDWR, 0,
                new FileIdentity(8, 222, 0140777, 0, 0, 8), null, 0, 0, 111, List.of(FileReader.UNIX_TYPE + " 2"),
                new int[][] {{b, 1, 1}});
        // devices and a directory
        t.add(FileKind.CHAR_DEVICE, "/dev/zero", LibC.O_RDONLY | O_LARGEFILE, 0, identity(Path.of("/dev/zero")), null,
                0, 0, 0, List.of(), new int[][] {{a, 2, 1}});
        t.add(FileKind.TERMINAL, pts, LibC.O_RDWR | O_LARGEFILE, 0, identity(Path.of(pts)), null, 0, 0, 0, List.of(),
                new int[][] {{a, 6, 0}, {b, 6, 0}});
        t.add(FileKind.DIRECTORY, dir.toString(), O_DIRECTORY | O_LARGEFILE, 0, identity(dir), null, 0, 0, 0,
                List.of(), new int[][] {{b, 2, 1}});
        // an appending log at offset 4, shared
        t.add(FileKind.REGULAR, file.toString(), LibC.O_WRONLY | LibC.O_APPEND | O_LARGEFILE, 4, identity(file), null,
                0, 0, 0, List.of(), new int[][] {{a, 8, 0}, {b, 8, 0}});
        Path loop = Path.of("/dev/loop0");
        boolean block = Files.exists(loop) && (identity(loop).type() == 0060000);
        if (block) {
            t.add(FileKind.BLOCK_DEVICE, loop.toString(), LibC.O_RDONLY | O_LARGEFILE, 0, identity(loop), null, 0, 0, 0,
                    List.of(), new int[][] {{b, 12, 1}});
        }
        FileTable table = t.build();

        new FileRestorer(table, ps).restore();
        FileTable restored = FileReader.read(pids);
        assertSameFiles(table, restored);

        assertArrayEquals(fifoData.getBytes(StandardCharsets.US_ASCII), PipePeek.peek(a, 3));
        assertEquals(ino(a, 3), fifoId.ino());
        assertArrayEquals(big, PipePeek.peek(b, 5));
        assertEquals(count, count(b, 0));
        assertTrue(Procfs.fd(b, 0).orElseThrow().extra().stream().anyMatch(l -> l.matches("eventfd-semaphore:\\s*1")));
        assertTrue(Kcmp.sameFile(a, 1, b, 11));
        assertFalse(Kcmp.sameFile(b, 1, b, 9));
        Set<Long> sockets = Set.of(ino(a, 1), ino(b, 1));
        assertEquals(2, sockets.size());
        assertEquals(4, Procfs.fd(b, 8).orElseThrow().pos());
        assertEquals(pts, Files.readSymbolicLink(Path.of("/proc", Integer.toString(b), "fd", "6")).toString());
        assertEquals("0", statField(b, 4)); // O_NOCTTY: no controlling terminal acquired
    }

    @Test
    public void namesWhatCannotBeRestored() throws Exception {
        Privileged.assume("root (ptrace, clone3 set_tid, pidfd_getfd, kcmp)");
        Map<Integer, RestoringProcess> ps = processes(2);
        List<Integer> pids = new ArrayList<>(ps.keySet());
        int a = pids.get(0);
        int b = pids.get(1);
        Path dir = Files.createTempDirectory("hotvirt-files-errors");
        temporary.add(dir);
        Path file = dir.resolve("data.txt");
        Files.writeString(file, "hello");
        FileIdentity before = identity(file);

        Table deleted = new Table();
        deleted.add(FileKind.REGULAR, file + " (deleted)", LibC.O_RDWR, 0, before, null, 0, 0, 0, List.of(),
                new int[][] {{a, 3, 0}});
        assertFails(deleted.build(), ps, "cannot restore deleted file " + file + " (deleted)", "process " + a + " fd 3");

        Files.writeString(file, "hello, longer");
        Table changed = new Table();
        changed.add(FileKind.REGULAR, file.toString(), LibC.O_RDWR, 0, before, null, 0, 0, 0, List.of(),
                new int[][] {{a, 4, 0}, {b, 4, 0}});
        assertFails(changed.build(), ps, "is not the file in the image: it changed since the checkpoint: 13 bytes,"
                + " was 5", "process " + a + " fd 4 (REGULAR " + file + ")");

        try (RandomAccessFile old = new RandomAccessFile(file.toFile(), "r")) { // keeps the old inode alive
            Files.delete(file);
            Files.writeString(file, "hello");
            Table replaced = new Table();
            replaced.add(FileKind.REGULAR, file.toString(), LibC.O_RDWR, 0, before, null, 0, 0, 0, List.of(),
                    new int[][] {{b, 5, 0}});
            assertFails(replaced.build(), ps, "it was replaced: inode", "process " + b + " fd 5 (REGULAR " + file + ")");
        }

        Table inet = new Table();
        inet.add(FileKind.SOCKET, "socket:[999]", LibC.O_RDWR, 0, new FileIdentity(8, 999, 0140777, 0, 0, 8), null, 0,
                0, 0, List.of(), new int[][] {{b, 6, 0}});
        assertFails(inet.build(), ps, "cannot restore process " + b + " fd 6 (SOCKET socket:[999]) yet", "");

        Table lonely = new Table();
        lonely.add(FileKind.UNIX_SOCKET, "socket:[998]", LibC.O_RDWR, 0, new FileIdentity(8, 998, 0140777, 0, 0, 8),
                null, 0, 0, 12345, List.of(FileReader.UNIX_TYPE + " 1"), new int[][] {{a, 3, 0}});
        assertFails(lonely.build(), ps, "cannot restore process " + a + " fd 3 (UNIX_SOCKET socket:[998]) yet",
                "socketpair");

        Table missing = new Table();
        missing.add(FileKind.REGULAR, dir.resolve("gone.txt").toString(), LibC.O_RDONLY, 0, before, null, 0, 0, 0,
                List.of(), new int[][] {{a, 3, 0}});
        assertFails(missing.build(), ps, "injected openat", "No such file");
    }

    // ---- the restoring processes

    /** n husk clones with increasing free PIDs, each with a scratch area and no fd open, by PID. */
    private Map<Integer, RestoringProcess> processes(int n) throws Exception {
        tracer = Tracer.start("files-test");
        husk = Husk.start(tracer, HuskBinary.path(), 5_000);
        int h = husk.pid();
        long scratch = husk.injector().mapScratch(h, RestoringProcess.SCRATCH_BYTES); // the clones inherit it
        PidCreator creator = new PidCreator(tracer);
        Map<Integer, RestoringProcess> out = new TreeMap<>();
        int last = 0;
        while (out.size() < n) {
            int pid = PidCreatorKernelTest.freePid();
            if (pid <= last) {
                continue;
            }
            clones.add(creator.create(husk.injector(), h, scratch, pid));
            last = pid;
            SyscallInjector injector = new SyscallInjector(tracer, pid);
            out.put(pid, new RestoringProcess(tracer, pid, List.of(pid), injector, scratch));
        }
        closeAllFds(out);
        return out;
    }

    private static void closeAllFds(Map<Integer, RestoringProcess> ps) throws IOException {
        for (RestoringProcess p : ps.values()) {
            p.call("close_range", Syscall.CLOSE_RANGE, 0, 0xffffffffL, 0);
            assertEquals(List.of(), Procfs.fds(p.pid()));
        }
    }

    private static void assertFails(FileTable table, Map<Integer, RestoringProcess> ps, String... parts)
            throws IOException {
        closeAllFds(ps);
        try {
            new FileRestorer(table, ps).restore();
            fail("restored " + table.descriptions());
        } catch (IOException e) {
            for (String part : parts) {
                assertTrue(e.getMessage() + " lacks: " + part, e.getMessage().contains(part));
            }
            System.out.println("as expected: " + e.getMessage());
        }
    }

    // ---- comparing tables

    /**
     * The restored processes hold the same fds as the table says, grouped into the same
     * descriptions with the same owners, kinds, paths, flags, offsets, close-on-exec, pipe data,
     * eventfd counts, and pipe ends and socket peers paired as before. Inode numbers of pipes and
     * sockets are new; only how they pair must match.
     */
    static void assertSameFiles(FileTable want, FileTable got) {
        assertEquals(fdsOf(want), fdsOf(got));
        Map<String, FileDescription> w = byHolder(want);
        Map<String, FileDescription> g = byHolder(got);
        for (Map.Entry<String, FileDescription> e : w.entrySet()) {
            FileDescription x = e.getValue();
            FileDescription y = g.get(e.getKey());
            String at = e.getKey() + " " + x + " restored as " + y;
            assertEquals(at, x.kind(), y.kind());
            assertEquals(at, anonymous(x.path()), anonymous(y.path()));
            assertEquals(at, x.flags(), y.flags());
            assertEquals(at, x.offset(), y.offset());
            assertEquals(at, x.holders(), y.holders());
            assertEquals(at, x.ownerPid(), y.ownerPid());
            assertEquals(at, x.pipeBytes(), y.pipeBytes());
            if (x.pipeBytes() > 0) {
                assertArrayEquals(at, want.pipeData().get(x.pipeData()), got.pipeData().get(y.pipeData()));
            }
            assertEquals(at, x.eventfdCount(), y.eventfdCount());
            if (x.path().startsWith("/")) {
                assertEquals(at, x.identity().ino(), y.identity().ino());
                assertEquals(at, x.identity().size(), y.identity().size());
            }
        }
        // pairing: two descriptions share an inode (pipe ends) or are peers (sockets) in both or in neither
        for (FileDescription x1 : want.descriptions()) {
            for (FileDescription x2 : want.descriptions()) {
                FileDescription y1 = g.get(key(x1.holders().get(0)));
                FileDescription y2 = g.get(key(x2.holders().get(0)));
                assertEquals(x1 + " / " + x2, x1.identity().ino() == x2.identity().ino(),
                        y1.identity().ino() == y2.identity().ino());
                assertEquals(x1 + " / " + x2, x1.peerInode() == x2.identity().ino() && x1.peerInode() != 0,
                        y1.peerInode() == y2.identity().ino() && y1.peerInode() != 0);
            }
        }
    }

    private static Map<Integer, List<FileTable.FdRef>> fdsOf(FileTable t) {
        Map<Integer, List<FileTable.FdRef>> out = new TreeMap<>();
        for (FileTable.ProcessFds p : t.processes()) {
            List<FileTable.FdRef> refs = new ArrayList<>(p.fds());
            refs.sort(Comparator.comparingInt(FileTable.FdRef::fd));
            // description ids differ between tables: keep fd and close-on-exec
            out.put(p.pid(), refs.stream().map(r -> new FileTable.FdRef(r.fd(), 0, r.closeOnExec())).toList());
        }
        return out;
    }

    private static Map<String, FileDescription> byHolder(FileTable t) {
        Map<String, FileDescription> out = new TreeMap<>();
        for (FileDescription d : t.descriptions()) {
            for (FileDescription.Holder h : d.holders()) {
                out.put(key(h), d);
            }
        }
        return out;
    }

    private static String key(FileDescription.Holder h) {
        return h.pid() + ":" + h.fd();
    }

    private static String anonymous(String path) {
        return path.replaceAll("^(pipe|socket):\\[\\d+]$", "$1:[]");
    }

    // ---- building tables

    /** A FileTable made by hand: owner = lowest holder pid, holders sorted, ids in order. */
    private static final class Table {
        final List<FileDescription> descriptions = new ArrayList<>();
        final Map<String, byte[]> data = new HashMap<>();
        final Map<Integer, List<FileTable.FdRef>> fds = new TreeMap<>();

        /** @param holders {pid, fd, closeOnExec 0/1} */
        void add(FileKind kind, String path, int flags, long offset, FileIdentity id, String pipeRef, int pipeBytes,
                 long eventfd, long peer, List<String> extra, int[][] holders) {
            int descId = descriptions.size() + 1;
            List<FileDescription.Holder> hs = Arrays.stream(holders).map(h -> new FileDescription.Holder(h[0], h[1]))
                    .sorted(Comparator.comparingInt(FileDescription.Holder::pid)
                            .thenComparingInt(FileDescription.Holder::fd)).toList();
            descriptions.add(new FileDescription(descId, kind, path, flags, offset, id, hs.get(0).pid(), hs, pipeRef,
                    pipeBytes, eventfd, peer, extra));
            for (int[] h : holders) {
                fds.computeIfAbsent(h[0], k -> new ArrayList<>()).add(new FileTable.FdRef(h[1], descId, h[2] != 0));
            }
        }

        FileTable build() {
            List<FileTable.ProcessFds> ps = new ArrayList<>();
            fds.forEach((pid, refs) -> ps.add(new FileTable.ProcessFds(pid,
                    refs.stream().sorted(Comparator.comparingInt(FileTable.FdRef::fd)).toList())));
            return new FileTable(FileTable.PRIORITY_RULE, descriptions, ps, data);
        }
    }

    /** The table with its PIDs renumbered (the workload's → the husk clones'). */
    private static FileTable remap(FileTable t, Map<Integer, Integer> pids) {
        Function<Integer, Integer> m = p -> {
            Integer to = pids.get(p);
            if (to == null) {
                throw new AssertionError("no new pid for " + p);
            }
            return to;
        };
        List<FileDescription> ds = t.descriptions().stream().map(d -> new FileDescription(d.id(), d.kind(), d.path(),
                d.flags(), d.offset(), d.identity(), m.apply(d.ownerPid()),
                d.holders().stream().map(h -> new FileDescription.Holder(m.apply(h.pid()), h.fd())).toList(),
                d.pipeData(), d.pipeBytes(), d.eventfdCount(), d.peerInode(), d.extra())).toList();
        List<FileTable.ProcessFds> ps = t.processes().stream()
                .map(p -> new FileTable.ProcessFds(m.apply(p.pid()), p.fds())).toList();
        return new FileTable(t.priorityRule(), ds, ps, t.pipeData());
    }

    /** files.json and the pipe data files, as {@link DomainCheckpointer} writes them. */
    private static void writeImage(Path image, FileTable t) throws IOException {
        Map<String, String> pipeFiles = new TreeMap<>();
        for (Map.Entry<String, byte[]> e : t.pipeData().entrySet()) {
            Files.write(image.resolve(ImageFormat.pipeDataFile(e.getKey())), e.getValue());
            pipeFiles.put(e.getKey(), ImageFormat.pipeDataFile(e.getKey()));
        }
        Files.writeString(image.resolve(ImageFormat.FILES), new GsonBuilder().disableHtmlEscaping().setPrettyPrinting()
                .create().toJson(new DomainCheckpointer.FilesRecord(t.priorityRule(), t.descriptions(), t.processes(),
                        pipeFiles)));
    }

    // ---- small probes

    private static FileIdentity identity(Path p) throws IOException {
        Map<String, Object> a = Files.readAttributes(p, "unix:dev,ino,mode,rdev,size");
        return new FileIdentity((Long) a.get("dev"), (Long) a.get("ino"), (Integer) a.get("mode"), (Long) a.get("rdev"),
                (Long) a.get("size"), 0);
    }

    private static long ino(int pid, int fd) throws IOException {
        return (Long) Files.getAttribute(Path.of("/proc", Integer.toString(pid), "fd", Integer.toString(fd)), "unix:ino");
    }

    private static long count(int pid, int fd) {
        FdInfo info = Procfs.fd(pid, fd).orElseThrow();
        String line = info.extra().stream().filter(l -> l.startsWith("eventfd-count:")).findFirst().orElseThrow();
        return Long.parseUnsignedLong(line.substring("eventfd-count:".length()).trim(), 16);
    }

    /** Field i after the comm of /proc/PID/stat (0: state, 4: tty_nr). */
    private static String statField(int pid, int i) throws IOException {
        String stat = Files.readString(Path.of("/proc", Integer.toString(pid), "stat"));
        return stat.substring(stat.lastIndexOf(')') + 2).split(" ")[i];
    }

    private static void run(String... cmd) throws Exception {
        // a tool that runs to its end, not a workload: ProcessBuilder is fine
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        assertEquals(String.join(" ", cmd) + ": " + out, 0, p.waitFor());
    }

    private int ptmx = -1;

    /** A new pseudo-terminal, unlocked; its master stays open in this JVM until the test ends. */
    private String openPts() {
        LibC c = LibC.INSTANCE;
        ptmx = c.open("/dev/ptmx", LibC.O_RDWR | LibC.O_NOCTTY | LibC.O_CLOEXEC, 0);
        Memory n = new Memory(4);
        n.setInt(0, 0);
        c.syscall(Syscall.IOCTL, ptmx, 0x40045431L /* TIOCSPTLCK */, Pointer.nativeValue(n));
        c.syscall(Syscall.IOCTL, ptmx, 0x80045430L /* TIOCGPTN */, Pointer.nativeValue(n));
        return "/dev/pts/" + n.getInt(0);
    }

    @After
    public void closePtmx() {
        if (ptmx >= 0) {
            LibC.INSTANCE.close(ptmx);
        }
    }
}
