package io.hotvirt.checkpoint.restore;

import com.sun.jna.LastErrorException;
import com.sun.jna.ptr.IntByReference;
import io.hotvirt.checkpoint.DomainCheckpointer;
import io.hotvirt.checkpoint.image.NodeKeyStore;
import io.hotvirt.checkpoint.testing.CWorkload;
import io.hotvirt.checkpoint.testing.Reaping;
import io.hotvirt.checkpoint.tree.Credentials;
import io.hotvirt.linux.cgroup.Cgroups;
import io.hotvirt.linux.cgroup.DomainCgroup;
import io.hotvirt.linux.jna.LibC;
import io.hotvirt.linux.jna.Syscall;
import io.hotvirt.linux.proc.Procfs;
import io.hotvirt.linux.ptrace.Tracer;
import io.hotvirt.linux.testing.Children;
import io.hotvirt.linux.testing.KernelTestTimeout;
import io.hotvirt.linux.testing.Privileged;
import org.junit.After;
import org.junit.Before;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;
import static org.junit.Assert.fail;

/**
 * Restore reopens a workload's files while its processes are still root: those opens must be
 * checked as the workload's saved identity. A workload of an unprivileged user (65534) whose
 * files are swapped, between checkpoint and restore, for links to a root-only file is refused with
 * EACCES, and nothing is left running; with its own files it restores as that user and passes.
 */
public class RestoreFileIdentityKernelTest {

    /** Every test here traces processes: a hung tracee fails the test, not the build. */
    @Rule(order = KernelTestTimeout.ORDER)
    public final KernelTestTimeout timeout = KernelTestTimeout.seconds(120);

    private static final int USER = 65534;
    private static final long CAP_DAC_OVERRIDE = 1L << 1;

    @Rule
    public final TemporaryFolder tmp = new TemporaryFolder();

    private final List<AutoCloseable> cleanup = new ArrayList<>();
    private final List<Integer> restored = new ArrayList<>();
    private DomainCgroup cgroup;
    private NodeKeyStore keys;
    private Path images;
    private Path dir;
    private Path secret;

    @Before
    public void setUp() throws Exception {
        Cgroups cgroups = Privileged.assumeCgroups();
        cgroup = cgroups.create("hotvirt-fsidtest-" + java.util.UUID.randomUUID().toString().substring(0, 8));
        keys = new NodeKeyStore(tmp.getRoot().toPath().resolve("hotvirt"));
        images = tmp.getRoot().toPath().resolve("hotvirt/images");
        Path root = tmp.getRoot().toPath();
        Files.setPosixFilePermissions(root, PosixFilePermissions.fromString("rwx--x--x")); // the user passes through
        secret = root.resolve("secret");
        Files.writeString(secret, "root only\n");
        Files.setPosixFilePermissions(secret, PosixFilePermissions.fromString("rw-------"));
        dir = tmp.newFolder("user").toPath();
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwx------"));
        giveToUser(dir);
    }

    @After
    public void cleanUp() throws Exception {
        Reaping.kill(restored);
        CWorkload.closeAll(cleanup, cgroup);
        restored.forEach(Reaping::reapGone);
    }

    /** On the real kernel: an fsuid other than 0 takes CAP_DAC_OVERRIDE away, fsuid 0 gives it back. */
    @Test
    public void theSwitchDropsAndRestoresTheFilesystemCapabilities() throws Exception {
        try (Tracer tracer = Tracer.start("fsid-test"); Husk husk = Husk.start(tracer, HuskBinary.path(), 5_000)) {
            int h = husk.pid();
            long scratch = husk.injector().mapScratch(h, RestoringProcess.SCRATCH_BYTES);
            RestoringProcess p = new RestoringProcess(tracer, h, List.of(h), husk.injector(), scratch);
            Credentials user = new Credentials(USER, USER, USER, USER, USER, USER, USER, USER, List.of(USER));
            assertTrue((capEff(h) & CAP_DAC_OVERRIDE) != 0);
            long denied = FsIdentity.as(p, user, () -> {
                String status = Files.readString(Path.of("/proc", Integer.toString(h), "status"));
                assertTrue(status, status.contains("\nUid:\t0\t0\t0\t" + USER + "\n"));
                assertTrue(status, status.contains("\nGid:\t0\t0\t0\t" + USER + "\n"));
                assertTrue(status, status.contains("\nGroups:\t" + USER + " \n"));
                assertEquals(0, capEff(h) & CAP_DAC_OVERRIDE);
                return p.callRaw("openat", Syscall.OPENAT, -100, p.writeString(0, secret.toString()), LibC.O_RDONLY, 0);
            });
            assertEquals(-13, denied); // EACCES
            String status = Files.readString(Path.of("/proc", Integer.toString(h), "status"));
            assertTrue(status, status.contains("\nUid:\t0\t0\t0\t0\n") && status.contains("\nGid:\t0\t0\t0\t0\n"));
            assertTrue((capEff(h) & CAP_DAC_OVERRIDE) != 0);
            long fd = p.call("openat", Syscall.OPENAT, -100, p.writeString(0, secret.toString()), LibC.O_RDONLY, 0);
            p.call("close", Syscall.CLOSE, fd);
        }
    }

    /**
     * The user's log (held O_WRONLY|O_APPEND) swapped for a link to a root-only file: the user may not
     * open it, and root opens only the very file the image saw, so it is refused naming process, fd
     * and path, nothing left; put back, the workload restores and passes, every thread the user again.
     */
    @Test
    public void aLinkInPlaceOfTheUsersFileIsRefused() throws Exception {
        CWorkload w = start();
        int fd = fdOf(w, "data.log");
        Path image = dump("log");
        Path log = dir.resolve("data.log");
        Path aside = dir.resolve("data.log.aside");
        Files.move(log, aside);
        Files.createSymbolicLink(log, secret);

        String error = refused(image, w.pid);
        assertTrue(error, error.contains("process " + w.pid + " fd " + fd) && error.contains(log.toString())
                && error.contains("is not the file in the image"));
        assertEquals("root only\n", Files.readString(secret));

        Files.delete(log);
        Files.move(aside, log);
        restore(image);
        assertRestoredAsTheUser(w);
        assertTrue(Files.readString(log).contains("round 1\n"));
    }

    /**
     * The user's shared writable mapping: a link to a root-only file in its place is refused with
     * EACCES, another file of the user's (another inode) as not the mapped file; the real one restores.
     */
    @Test
    public void aSharedMappingReopensOnlyTheUsersOwnFile() throws Exception {
        CWorkload w = start();
        Path image = dump("shared");
        Path shared = dir.resolve("shared.bin");
        Path aside = dir.resolve("shared.bin.aside");
        Files.move(shared, aside);

        Files.createSymbolicLink(shared, secret);
        String error = refused(image, w.pid);
        assertTrue(error, error.contains("shared file mapping") && error.contains("process " + w.pid)
                && error.contains(shared.toString()) && error.contains("EACCES"));
        assertEquals("root only\n", Files.readString(secret));

        Files.delete(shared);
        Files.copy(aside, shared, StandardCopyOption.COPY_ATTRIBUTES);
        giveToUser(shared);
        error = refused(image, w.pid);
        assertTrue(error, error.contains("process " + w.pid) && error.contains(shared.toString())
                && error.contains("is not the file the process had mapped"));

        Files.move(aside, shared, StandardCopyOption.REPLACE_EXISTING);
        restore(image);
        assertRestoredAsTheUser(w);
    }

    private CWorkload start() throws Exception {
        Path binary = dir.resolve("fs_identity");
        Files.copy(CWorkload.binary("fs_identity", "-pthread"), binary);
        Files.setPosixFilePermissions(binary, PosixFilePermissions.fromString("rwxr-xr-x"));
        Files.writeString(dir.resolve("data.log"), "start\n");
        Files.write(dir.resolve("shared.bin"), new byte[4096]);
        Path out = dir.resolve("out.log");
        Files.createFile(out);
        for (Path p : List.of(dir.resolve("data.log"), dir.resolve("shared.bin"), out)) {
            Files.setPosixFilePermissions(p, PosixFilePermissions.fromString("rw-------"));
            giveToUser(p);
        }
        CWorkload w = CWorkload.start(List.of(binary.toString(), dir.toString(), Integer.toString(USER)),
                cgroup.procsFiles(), out, 10_000, x -> x.log().contains("READY") && Procfs.tasks(x.pid).size() == 2);
        cleanup.add(w);
        assertEquals("PASS", w.selfCheck(5_000));
        return w;
    }

    private void assertRestoredAsTheUser(CWorkload w) throws IOException {
        for (int tid : Procfs.tasks(w.pid)) {
            String status = Files.readString(Path.of("/proc", Integer.toString(w.pid), "task", Integer.toString(tid),
                    "status"));
            String u = "\t" + USER;
            assertTrue(status, status.contains("\nUid:" + u + u + u + u + "\n") && status.contains("\nGid:" + u + u + u
                    + u + "\n") && status.contains("\nCapEff:\t0000000000000000\n"));
        }
        assertEquals("PASS", w.selfCheck(10_000));
    }

    private static int fdOf(CWorkload w, String name) throws IOException {
        return Procfs.fds(w.pid).stream().filter(f -> f.target().endsWith("/" + name)).mapToInt(f -> f.fd())
                .findFirst().orElseThrow(() -> new AssertionError("no fd of " + name));
    }

    /** The restore's error; no process of the image, and no new child of this JVM, is left. */
    private String refused(Path image, int pid) throws Exception {
        Set<Integer> before = Set.copyOf(Procfs.children((int) ProcessHandle.current().pid()));
        try {
            restore(image);
            fail("restored " + image);
        } catch (IOException e) {
            assertTrue("process " + pid + " exists", !Files.exists(Path.of("/proc", Integer.toString(pid))));
            assertEquals(before, Set.copyOf(Procfs.children((int) ProcessHandle.current().pid())));
            assertTrue(cgroup.pids().toString(), cgroup.pids().isEmpty());
            return e.getMessage();
        }
        throw new AssertionError("unreachable");
    }

    private Path dump(String name) throws Exception {
        List<Integer> pids = new ArrayList<>(cgroup.pids());
        Path image = new DomainCheckpointer(keys, "testnode").checkpoint("fsidtest", cgroup, images, name,
                new DomainCheckpointer.Options(false), null).image();
        pids.forEach(Reaping::reapGone);
        return image;
    }

    private void restore(Path image) throws Exception {
        DomainRestorer.Result r = new DomainRestorer(keys, List.of(DomainRestorerKernelTest.sleep(), "infinity"))
                .restore(image, new DomainRestorer.Options(false, MemoryRestorer.Mode.ZERO_COPY), root -> {
                    synchronized (restored) {
                        restored.add(root);
                        cgroup.add(root);
                    }
                    return Optional.of(cgroup);
                }, line -> { });
        synchronized (restored) {
            restored.addAll(r.pids());
        }
    }

    private static void giveToUser(Path p) throws IOException {
        Files.setAttribute(p, "unix:uid", USER, java.nio.file.LinkOption.NOFOLLOW_LINKS);
        Files.setAttribute(p, "unix:gid", USER, java.nio.file.LinkOption.NOFOLLOW_LINKS);
    }

    private static long capEff(int pid) throws IOException {
        return Files.readAllLines(Path.of("/proc", Integer.toString(pid), "status")).stream()
                .filter(l -> l.startsWith("CapEff:")).map(l -> Long.parseUnsignedLong(l.substring(7).trim(), 16))
                .findFirst().orElseThrow();
    }

}
