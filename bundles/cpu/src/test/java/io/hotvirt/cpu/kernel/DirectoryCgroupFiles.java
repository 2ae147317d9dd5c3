package io.hotvirt.cpu.kernel;

import io.hotvirt.linux.cgroup.CgroupFiles;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.function.Function;

/**
 * For tests: cgroup files found through a function from controller name to the cgroup's directory in that
 * controller's hierarchy (one directory for every controller on v2).
 */
final class DirectoryCgroupFiles implements CgroupFiles {

    private final String path;
    private final Function<String, Path> dirs;

    DirectoryCgroupFiles(String path, Function<String, Path> dirs) {
        this.path = path;
        this.dirs = dirs;
    }

    @Override
    public String path() {
        return path;
    }

    @Override
    public boolean exists(String controller, String file) {
        return Files.exists(dirs.apply(controller).resolve(file));
    }

    @Override
    public String read(String controller, String file) throws IOException {
        return strip(Files.readString(dirs.apply(controller).resolve(file)));
    }

    @Override
    public void write(String controller, String file, String value) throws IOException {
        Path target = dirs.apply(controller).resolve(file);
        // One write(2) of the whole value with a newline: a cgroup file takes a value per write, and
        // an empty value must still reach the kernel (an empty v2 cpuset.cpus means "inherit").
        byte[] bytes = (value + "\n").getBytes(StandardCharsets.US_ASCII);
        try {
            Files.write(target, bytes, StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING);
        } catch (IOException e) {
            throw new IOException("cannot write '" + value + "' to " + target + ": " + reason(e), e);
        }
    }

    @Override
    public String readParent(String controller, String file) throws IOException {
        return strip(Files.readString(dirs.apply(controller).getParent().resolve(file)));
    }

    private static String strip(String s) {
        return s.endsWith("\n") ? s.substring(0, s.length() - 1) : s;
    }

    private static String reason(IOException e) {
        String message = e.getMessage();
        if (e instanceof java.nio.file.FileSystemException fse && fse.getReason() != null) {
            message = fse.getReason();
        }
        return message;
    }
}
