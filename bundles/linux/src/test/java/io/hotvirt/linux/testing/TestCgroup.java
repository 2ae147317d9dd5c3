package io.hotvirt.linux.testing;

import io.hotvirt.linux.cgroup.Cgroups;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.UUID;
import java.util.stream.Stream;

/**
 * A test-only cgroup sub-tree {@code hotvirt-test-<random>} in every managed hierarchy, removed
 * after the test: thawed, processes moved to the hierarchy root, directories removed deepest first.
 */
public final class TestCgroup implements AutoCloseable {

    public final Cgroups cgroups;
    public final String top = "hotvirt-test-" + UUID.randomUUID().toString().substring(0, 8);

    public TestCgroup(Cgroups cgroups) {
        this.cgroups = cgroups;
    }

    /** "hotvirt-test-xxxx/name". */
    public String path(String name) {
        return top + "/" + name;
    }

    @Override
    public void close() throws IOException {
        for (Path mount : cgroups.mounts().values()) {
            Path dir = mount.resolve(top);
            if (!Files.isDirectory(dir)) {
                continue;
            }
            List<Path> dirs;
            try (Stream<Path> walk = Files.walk(dir)) {
                dirs = walk.filter(Files::isDirectory).sorted(Comparator.reverseOrder()).toList();
            }
            for (Path d : dirs) {
                thaw(d);
                evacuate(d, mount);
                Files.delete(d); // rmdir: cgroupfs removes the control files with it
            }
        }
    }

    private static void thaw(Path d) throws IOException {
        if (Files.exists(d.resolve("freezer.state"))) {
            Files.writeString(d.resolve("freezer.state"), "THAWED");
        }
        if (Files.exists(d.resolve("cgroup.freeze"))) {
            Files.writeString(d.resolve("cgroup.freeze"), "0");
        }
    }

    private static void evacuate(Path d, Path mount) throws IOException {
        for (String pid : Files.readAllLines(d.resolve("cgroup.procs"))) {
            try {
                Files.writeString(mount.resolve("cgroup.procs"), pid);
            } catch (IOException e) {
                // exited meanwhile
            }
        }
    }
}
