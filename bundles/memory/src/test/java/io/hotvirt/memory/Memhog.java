package io.hotvirt.memory;

import io.hotvirt.linux.cgroup.DomainCgroup;
import io.hotvirt.linux.process.SpawnRequest;
import io.hotvirt.linux.process.Signals;
import io.hotvirt.linux.testing.Children;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * The test workload (src/test/c/memhog.c): maps and fills N MiB of private anonymous memory with a
 * pattern, sleeps, and on SIGUSR1 reads it all back and reports PASS or FAIL. Built once with the
 * system C compiler into target/.
 */
final class Memhog {

    private static final Path SOURCE = Path.of(System.getProperty("hotvirt.memhog.source", "src/test/c/memhog.c"));
    private static final Path BINARY = Path.of(System.getProperty("hotvirt.memhog", "target/memhog"));

    final int pid;
    final long mib;
    final long address;
    private final Path dir;
    private int checks;

    private Memhog(int pid, long mib, long address, Path dir) {
        this.pid = pid;
        this.mib = mib;
        this.address = address;
        this.dir = dir;
    }

    /** Builds the binary if it is missing or older than its source. */
    static synchronized Path binary(Children children, Path scratch) throws IOException {
        if (!Files.exists(BINARY) || Files.getLastModifiedTime(BINARY).compareTo(Files.getLastModifiedTime(SOURCE)) < 0) {
            Files.createDirectories(BINARY.toAbsolutePath().getParent());
            children.run(scratch.resolve("cc.log"), 60_000, "cc", "-O2", "-Wall", "-o",
                    BINARY.toAbsolutePath().toString(), SOURCE.toAbsolutePath().toString());
        }
        return BINARY.toAbsolutePath();
    }

    /** Starts a memhog of {@code mib} MiB in the cgroup and waits until its memory is filled. */
    static Memhog start(Children children, Path scratch, DomainCgroup cgroup, long mib) throws IOException {
        Path binary = binary(children, scratch);
        Path dir = Files.createTempDirectory(scratch, "memhog");
        Path log = dir.resolve("log");
        int pid = children.spawn(new SpawnRequest(List.of(binary.toString(), Long.toString(mib), dir.toString()),
                null, log, cgroup.procsFiles()));
        Path ready = dir.resolve("ready");
        Children.await("memhog " + pid + " to fill " + mib + " MiB (log: " + Children.read(log) + ")", 30_000,
                () -> Files.exists(ready) || !Children.alive(pid));
        if (!Files.exists(ready)) {
            throw new AssertionError("memhog " + pid + " ended before it was ready: " + Children.read(log));
        }
        String[] f = Children.read(ready).strip().split(" ");
        return new Memhog(pid, mib, Long.parseUnsignedLong(f[2].substring(2), 16), dir);
    }

    long bytes() {
        return mib << 20;
    }

    /** Makes the workload read all its memory back; returns its verdict ("PASS …" or "FAIL …"). */
    String check() throws IOException {
        checks++;
        Path result = dir.resolve("check-" + checks);
        Signals.kill(pid, Signals.SIGUSR1);
        Children.await("memhog " + pid + " to check its memory", 30_000, () -> Files.exists(result) || !Children.alive(pid));
        return Files.exists(result) ? Children.read(result).strip() : "DEAD: " + Children.read(dir.resolve("log"));
    }
}
