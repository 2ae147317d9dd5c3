package io.hotvirt.checkpoint.files;

import io.hotvirt.linux.testing.KernelTestTimeout;
import io.hotvirt.linux.testing.Privileged;
import org.junit.Rule;
import org.junit.Test;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;

import static org.junit.Assert.assertArrayEquals;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertNotEquals;
import static org.junit.Assert.assertNotNull;
import static org.junit.Assert.assertTrue;

/** The files of a real forked tree: shared descriptions, pipe data in flight, eventfd, socketpair. */
public class FileReaderKernelTest {

    /** Every test here traces processes: a hung tracee fails the test, not the build. */
    @Rule(order = KernelTestTimeout.ORDER)
    public final KernelTestTimeout timeout = KernelTestTimeout.seconds(30);

    @Test
    public void readsSharedDescriptionsPipesEventfdAndSockets() throws Exception {
        Privileged.assume("root (kcmp and /proc/PID/fd of other processes)");
        try (FilesTreeWorkload w = FilesTreeWorkload.start(10_000)) {
            String dir = w.dir.toRealPath().toString();
            FileTable table;
            w.stop();
            try {
                table = FileReader.read(w.pids());
            } finally {
                w.resume();
            }
            String dump = table.descriptions().stream().map(Object::toString).collect(Collectors.joining("\n"));
            assertEquals(FileTable.PRIORITY_RULE, table.priorityRule());
            for (FileDescription d : table.descriptions()) {
                int lowest = d.holders().stream().mapToInt(FileDescription.Holder::pid).min().orElseThrow();
                assertEquals("owner of " + d, lowest, d.ownerPid());
            }

            // one description for shared.txt: three holders, one offset, owned by the parent
            List<FileDescription> shared = byPath(table, dir + "/shared.txt");
            assertEquals(dump, 1, shared.size());
            FileDescription s = shared.get(0);
            assertEquals(FileKind.REGULAR, s.kind());
            assertEquals(13, s.offset());
            assertEquals(w.parent, s.ownerPid());
            assertEquals(Set.of(w.parent, w.child1, w.child2), pids(s));
            assertEquals(3, s.holders().size());
            assertTrue(s.shared());
            for (int pid : w.pids()) {
                assertEquals(s.id(), table.descriptionOf(pid, w.fds.get("shared")).orElseThrow().id());
            }

            // separate.txt: same file, three descriptions with their own offsets
            List<FileDescription> separate = byPath(table, dir + "/separate.txt");
            assertEquals(dump, 3, separate.size());
            assertEquals(0, table.descriptionOf(w.parent, w.separate.get("parent")).orElseThrow().offset());
            assertEquals(100, table.descriptionOf(w.child1, w.separate.get("child1")).orElseThrow().offset());
            assertEquals(200, table.descriptionOf(w.child2, w.separate.get("child2")).orElseThrow().offset());
            for (FileDescription d : separate) {
                assertEquals(1, d.holders().size());
                assertEquals(separate.get(0).identity().ino(), d.identity().ino());
            }

            // the pipe: read end in child 1, write end in the parent, 10 bytes read without consuming
            FileDescription readEnd = table.descriptionOf(w.child1, w.fds.get("pipe_r")).orElseThrow();
            FileDescription writeEnd = table.descriptionOf(w.parent, w.fds.get("pipe_w")).orElseThrow();
            assertEquals(FileKind.PIPE, readEnd.kind());
            assertEquals(FileKind.PIPE, writeEnd.kind());
            assertNotEquals(readEnd.id(), writeEnd.id());
            assertEquals(Set.of(w.child1), pids(readEnd));
            assertEquals(Set.of(w.parent), pids(writeEnd));
            assertEquals(readEnd.pipeData(), writeEnd.pipeData());
            assertEquals(10, readEnd.pipeBytes());
            assertArrayEquals("0123456789".getBytes(StandardCharsets.US_ASCII), table.pipeData().get(readEnd.pipeData()));

            // eventfd, shared by all three
            FileDescription efd = table.descriptionOf(w.child2, w.fds.get("eventfd")).orElseThrow();
            assertEquals(FileKind.EVENTFD, efd.kind());
            assertEquals(7, efd.eventfdCount());
            assertEquals(w.parent, efd.ownerPid());
            assertEquals(3, efd.holders().size());

            // the socketpair: two unix sockets, each the other's peer
            FileDescription s0 = table.descriptionOf(w.parent, w.fds.get("sock0")).orElseThrow();
            FileDescription s1 = table.descriptionOf(w.parent, w.fds.get("sock1")).orElseThrow();
            assertEquals(FileKind.UNIX_SOCKET, s0.kind());
            assertEquals(FileKind.UNIX_SOCKET, s1.kind());
            assertEquals(s1.identity().ino(), s0.peerInode());
            assertEquals(s0.identity().ino(), s1.peerInode());

            // /dev/null
            FileDescription devnull = table.descriptionOf(w.parent, w.fds.get("devnull")).orElseThrow();
            assertEquals(FileKind.DEV_NULL, devnull.kind());
            assertEquals(3, devnull.holders().size());

            // every fd of every process maps to a description
            for (FileTable.ProcessFds p : table.processes()) {
                for (FileTable.FdRef f : p.fds()) {
                    assertNotNull(table.description(f.descriptionId()));
                }
            }

            // the workload still has everything: the pipe bytes were not consumed
            w.assertSelfChecksPass();
        }
    }

    private static List<FileDescription> byPath(FileTable t, String path) {
        return t.descriptions().stream().filter(d -> d.path().equals(path)).toList();
    }

    private static Set<Integer> pids(FileDescription d) {
        return d.holders().stream().map(FileDescription.Holder::pid).collect(Collectors.toSet());
    }
}
