package io.hotvirt.memory.kernel;

import com.sun.jna.LastErrorException;
import io.hotvirt.linux.cgroup.CgroupFiles;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * For tests: a cgroup's memory files as a plain directory, recording every write, with errors to
 * throw for chosen files (an IOException with the errno as its cause, as the kernel gives them).
 * Only the memory controller's files are there.
 */
final class DirectoryCgroupFiles implements CgroupFiles {

    final List<String> writes = new ArrayList<>();
    final Map<String, Integer> failWith = new HashMap<>();
    private final Path dir;

    DirectoryCgroupFiles(Path dir) {
        this.dir = dir;
    }

    DirectoryCgroupFiles with(String file, String value) throws IOException {
        Files.writeString(dir.resolve(file), value + "\n");
        return this;
    }

    DirectoryCgroupFiles without(String file) throws IOException {
        Files.delete(dir.resolve(file));
        return this;
    }

    @Override
    public String path() {
        return "hotvirt/w1";
    }

    @Override
    public boolean exists(String controller, String file) {
        return memory(controller) && Files.exists(dir.resolve(file));
    }

    @Override
    public String read(String controller, String file) throws IOException {
        if (!memory(controller)) {
            throw new IOException("no " + controller + " hierarchy");
        }
        String s = Files.readString(dir.resolve(file));
        return s.endsWith("\n") ? s.substring(0, s.length() - 1) : s;
    }

    @Override
    public String readParent(String controller, String file) throws IOException {
        throw new UnsupportedOperationException("no parent cgroup in a test directory");
    }

    @Override
    public void write(String controller, String file, String value) throws IOException {
        if (!memory(controller)) {
            throw new IOException("no " + controller + " hierarchy");
        }
        Integer errno = failWith.get(file);
        if (errno != null) {
            throw new IOException("writing " + value + " to " + file, new LastErrorException(errno));
        }
        writes.add(file + "=" + value);
        Files.write(dir.resolve(file), (value + "\n").getBytes(StandardCharsets.US_ASCII), StandardOpenOption.WRITE,
                StandardOpenOption.TRUNCATE_EXISTING);
    }

    private static boolean memory(String controller) {
        return MemoryController.MEMORY.equals(controller);
    }
}
