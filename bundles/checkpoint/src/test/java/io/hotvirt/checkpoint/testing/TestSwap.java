package io.hotvirt.checkpoint.testing;

import io.hotvirt.linux.jna.LibC;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.UUID;

/** A swap file enabled for one test: swapoff and deleted on close. */
public final class TestSwap implements AutoCloseable {
    public static String lastError = "";
    public final Path file;
    public final long unwrittenPages;

    private TestSwap(Path file, long unwrittenPages) {
        this.file = file;
        this.unwrittenPages = unwrittenPages;
    }

    /**
     * A swap file of {@code mib} MiB: preallocated with fallocate (unwritten extents on ext4 and
     * xfs), or written with zeros through the file system and synced (every extent written).
     */
    public static TestSwap enable(int mib, boolean preallocated) throws Exception {
        for (String d : List.of("/var/tmp", "/work")) {
            Path f = Path.of(d, "hotvirt-cptest-" + UUID.randomUUID().toString().substring(0, 8) + ".swap");
            try {
                if (preallocated) {
                    run("fallocate", "-l", mib + "M", f.toString());
                } else {
                    writeZeros(f, (long) mib << 20);
                }
                Files.setPosixFilePermissions(f, java.nio.file.attribute.PosixFilePermissions.fromString("rw-------"));
                run("mkswap", f.toString());
                long unwritten = unwrittenPages(f);
                run("swapon", f.toString());
                io.hotvirt.checkpoint.memory.SwapAreas.observe(); // as the checkpoint service does when it starts
                return new TestSwap(f, unwritten);
            } catch (IOException e) {
                lastError = e.getMessage();
                Files.deleteIfExists(f);
            }
        }
        return null;
    }

    private static void writeZeros(Path f, long bytes) throws IOException {
        try (var ch = java.nio.channels.FileChannel.open(f, java.nio.file.StandardOpenOption.CREATE_NEW,
                java.nio.file.StandardOpenOption.WRITE)) {
            java.nio.ByteBuffer zeros = java.nio.ByteBuffer.allocateDirect(1 << 20);
            for (long done = 0; done < bytes; done += zeros.capacity()) {
                zeros.clear();
                while (zeros.hasRemaining()) {
                    ch.write(zeros);
                }
            }
            ch.force(true);
        }
    }

    private static long unwrittenPages(Path f) throws IOException {
        int fd = LibC.INSTANCE.open(f.toString(), LibC.O_RDONLY | LibC.O_CLOEXEC, 0);
        try {
            return io.hotvirt.linux.jna.FileExtents.of(fd).stream().filter(x -> x.unwritten())
                    .mapToLong(x -> x.length() / 4096).sum();
        } finally {
            LibC.INSTANCE.close(fd);
        }
    }

    @Override
    public void close() throws Exception {
        try {
            for (int attempt = 1; ; attempt++) { // the workload's pages may take a moment to be freed
                try {
                    run("swapoff", file.toString());
                    break;
                } catch (IOException e) {
                    if (attempt == 5) {
                        throw e;
                    }
                    Thread.sleep(200);
                }
            }
        } finally {
            Files.deleteIfExists(file);
        }
    }

    // swapon & co. are admin tools, not workloads: ProcessBuilder is fine
    private static void run(String... cmd) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        if (p.waitFor() != 0) {
            throw new IOException(String.join(" ", cmd) + ": " + out.strip());
        }
    }

    /** A swap test's clean-up, whatever failed: the workload (may be null), its cgroup (thawed, removed), the swap file. */
    public static void cleanUp(AutoCloseable workload, io.hotvirt.linux.cgroup.DomainCgroup cg, TestSwap swap)
            throws Exception {
        try {
            if (workload != null) {
                workload.close();
            }
        } finally {
            try {
                if (cg != null) {
                    try {
                        cg.thaw();
                    } finally {
                        cg.remove();
                    }
                }
            } finally {
                swap.close();
            }
        }
    }
}
