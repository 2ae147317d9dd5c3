package io.hotvirt.memory;

import io.hotvirt.linux.testing.Children;
import io.hotvirt.linux.testing.Privileged;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

/**
 * A swap file enabled for one test: fallocate, mkswap, swapon; {@link #close()} turns it off and
 * deletes it. It goes in the first directory of {@code hotvirt.swapDirs} (default /var/tmp, then
 * the module's target/) where swapon works: not tmpfs or overlayfs, which cannot hold swap.
 */
final class SwapFile implements AutoCloseable {

    private final Children tools;
    private final Path scratch;
    private Path file;

    private SwapFile(Children tools, Path scratch) {
        this.tools = tools;
        this.scratch = scratch;
    }

    /** Enables {@code mib} MiB of swap, or skips the test (fails when privileges are required). */
    static SwapFile enable(Children tools, Path scratch, long mib) throws IOException {
        SwapFile swap = new SwapFile(tools, scratch);
        StringBuilder why = new StringBuilder();
        for (String dir : System.getProperty("hotvirt.swapDirs", "/var/tmp:target").split(":")) {
            Path candidate = Path.of(dir).toAbsolutePath().resolve("hotvirt-memtest-" + UUID.randomUUID()
                    .toString().substring(0, 8) + ".swap");
            try {
                swap.file = candidate;
                tools.run(scratch.resolve("fallocate.log"), 30_000, tool("fallocate"), "-l", mib + "M", candidate.toString());
                Files.setPosixFilePermissions(candidate, PosixFilePermissions.fromString("rw-------"));
                tools.run(scratch.resolve("mkswap.log"), 30_000, tool("mkswap"), candidate.toString());
                tools.run(scratch.resolve("swapon.log"), 30_000, tool("swapon"), candidate.toString());
                return swap;
            } catch (IOException | IllegalArgumentException e) {
                why.append("\n  ").append(candidate).append(": ").append(e.getMessage().strip());
                Files.deleteIfExists(candidate);
                swap.file = null;
            }
        }
        Privileged.assume("a swap file (swapon failed everywhere it was tried:" + why + ")", false);
        return swap;
    }

    @Override
    public void close() throws IOException {
        if (file == null) {
            return;
        }
        if (Files.readString(Path.of("/proc/swaps")).contains(file.toString())) {
            // an active swap file must not be deleted: if swapoff fails, the file stays for a person to see
            tools.run(scratch.resolve("swapoff.log"), 120_000, tool("swapoff"), file.toString());
        }
        Files.deleteIfExists(file);
        file = null;
    }

    /** The tool from PATH or the sbin directories (which a non-login PATH may lack). */
    static String tool(String name) {
        List<String> dirs = new ArrayList<>(List.of(System.getenv().getOrDefault("PATH", "").split(":")));
        dirs.addAll(List.of("/usr/sbin", "/sbin", "/usr/bin", "/bin"));
        for (String dir : dirs) {
            if (!dir.isEmpty() && Files.isExecutable(Path.of(dir, name))) {
                return Path.of(dir, name).toString();
            }
        }
        return name;
    }
}
