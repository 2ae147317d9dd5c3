package io.hotvirt.linux.process;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Finds the executable the shell's {@code exec} will run, so a typo, a directory or a file without
 * execute permission fails before anything starts, with a message saying which it is.
 */
final class CommandResolver {

    static final String DEFAULT_PATH = "/usr/local/bin:/usr/bin:/bin:/usr/local/sbin:/usr/sbin:/sbin";

    private CommandResolver() {
    }

    /**
     * A name with a '/' is a path (relative to {@code workingDir}, as exec sees it after the chdir);
     * a bare name is searched on {@code searchPath} like execvp does: the first executable file wins.
     *
     * @throws IllegalArgumentException naming why there is nothing to run: not found, a directory,
     *                                  or not executable
     */
    static Path resolve(String command, Path workingDir, String searchPath) {
        if (command.isEmpty()) {
            throw new IllegalArgumentException("command not found: the command is an empty string");
        }
        if (command.contains("/")) {
            Path p = Path.of(command);
            if (!p.isAbsolute()) {
                p = (workingDir != null ? workingDir : Path.of("")).toAbsolutePath().resolve(p);
            }
            String problem = problem(p);
            if (problem != null) {
                throw new IllegalArgumentException(problem);
            }
            return p;
        }
        String firstProblem = null;
        for (String dir : (searchPath == null ? DEFAULT_PATH : searchPath).split(":", -1)) {
            Path p = Path.of(dir.isEmpty() ? "." : dir).resolve(command);
            if (!p.isAbsolute() && workingDir != null) { // exec runs after the chdir
                p = workingDir.resolve(p);
            }
            if (!Files.exists(p)) {
                continue;
            }
            String problem = problem(p.toAbsolutePath());
            if (problem == null) {
                return p.toAbsolutePath();
            }
            firstProblem = firstProblem == null ? problem : firstProblem;
        }
        throw new IllegalArgumentException(firstProblem != null ? firstProblem : "command not found: " + command);
    }

    /** Why exec could not run {@code p}, or null when it can. */
    private static String problem(Path p) {
        if (!Files.exists(p)) {
            return "command not found: " + p;
        }
        if (Files.isDirectory(p)) {
            return p + " is a directory, not a command";
        }
        if (!Files.isRegularFile(p) || !Files.isExecutable(p)) {
            return p + " is not executable: make it so (chmod +x " + p + "), or put its interpreter first"
                    + " (-- sh " + p + ")";
        }
        return null;
    }
}
