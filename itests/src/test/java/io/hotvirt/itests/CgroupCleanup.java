package io.hotvirt.itests;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.runner.Result;
import org.junit.runner.notification.RunListener;

/**
 * Failsafe listener (Maven JVM side): once every test ran, removes the empty cgroup directories of
 * the test root ({@code hotvirt-itest}) in every mounted hierarchy, so the suite leaves no cgroup
 * behind. A directory that still holds processes is reported and kept: that is a leak to look at.
 */
public class CgroupCleanup extends RunListener {

    @Override
    public void testRunFinished(Result result) {
        for (Path mount : cgroupMounts()) {
            Path root = mount.resolve(HotvirtTestSupport.CGROUP_ROOT);
            if (!Files.isDirectory(root)) {
                continue;
            }
            List<Path> dirs = new ArrayList<>();
            try (Stream<Path> walk = Files.walk(root)) {
                walk.filter(Files::isDirectory).forEach(dirs::add);
            } catch (IOException e) {
                continue;
            }
            for (int i = dirs.size() - 1; i >= 0; i--) { // children first
                if (!dirs.get(i).toFile().delete()) {
                    System.err.println("hotvirt itests: cgroup " + dirs.get(i) + " left behind (still in use?)");
                }
            }
        }
    }

    private static List<Path> cgroupMounts() {
        List<Path> mounts = new ArrayList<>();
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/mountinfo"))) {
                String[] halves = line.split(" - ", 2);
                String[] fields = halves[0].split(" ");
                if (halves.length == 2 && fields.length > 4 && halves[1].startsWith("cgroup")) {
                    mounts.add(Path.of(fields[4].replace("\\040", " ")));
                }
            }
        } catch (IOException e) {
            // no /proc: nothing was made
        }
        return mounts;
    }
}
