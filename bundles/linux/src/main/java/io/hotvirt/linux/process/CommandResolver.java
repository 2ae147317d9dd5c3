package io.hotvirt.linux.process;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/** Finds the executable the shell's {@code exec} will run, so a typo fails before anything starts. */
final class CommandResolver {

    static final String DEFAULT_PATH = "/usr/local/bin:/usr/bin:/bin:/usr/local/sbin:/usr/sbin:/sbin";

    private CommandResolver() {
    }

    /**
     * A name with a '/' is a path (relative to {@code workingDir}, as exec sees it after the chdir);
     * a bare name is searched on {@code searchPath} like execvp does.
     */
    static Optional<Path> resolve(String command, Path workingDir, String searchPath) {
        if (command.isEmpty()) {
            return Optional.empty();
        }
        if (command.contains("/")) {
            Path p = Path.of(command);
            if (!p.isAbsolute()) {
                p = (workingDir != null ? workingDir : Path.of("")).toAbsolutePath().resolve(p);
            }
            return executable(p) ? Optional.of(p) : Optional.empty();
        }
        for (String dir : (searchPath == null ? DEFAULT_PATH : searchPath).split(":", -1)) {
            Path p = Path.of(dir.isEmpty() ? "." : dir).resolve(command);
            if (!p.isAbsolute() && workingDir != null) { // exec runs after the chdir
                p = workingDir.resolve(p);
            }
            if (executable(p)) {
                return Optional.of(p.toAbsolutePath());
            }
        }
        return Optional.empty();
    }

    private static boolean executable(Path p) {
        return Files.isRegularFile(p) && Files.isExecutable(p);
    }
}
