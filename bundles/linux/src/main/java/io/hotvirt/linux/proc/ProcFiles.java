package io.hotvirt.linux.proc;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Reading /proc files of processes that may exit at any moment: a vanished process shows as
 * ENOENT when opening, or ESRCH when reading, and both mean "empty" here rather than an error.
 */
final class ProcFiles {

    static final Path PROC = Path.of("/proc");

    private ProcFiles() {
    }

    static Path of(int pid, String... more) {
        return PROC.resolve(Integer.toString(pid)).resolve(String.join("/", more));
    }

    /** The file's bytes, or empty if the process is gone. Malformed UTF-8 (comm, paths) is replaced. */
    static Optional<byte[]> bytes(Path file) {
        try {
            return Optional.of(Files.readAllBytes(file));
        } catch (IOException e) {
            if (gone(e)) {
                return Optional.empty();
            }
            throw new UncheckedIOException("cannot read " + file + ": " + e.getMessage(), e);
        }
    }

    static Optional<String> text(Path file) {
        return bytes(file).map(b -> new String(b, StandardCharsets.UTF_8));
    }

    /** Like {@link #text} but for readers that report a vanished process as an error. */
    static String require(Path file, int pid) throws IOException {
        try {
            return new String(Files.readAllBytes(file), StandardCharsets.UTF_8);
        } catch (IOException e) {
            if (gone(e)) {
                throw new NoSuchFileException(file.toString(), null,
                        "process " + pid + " does not exist (it has exited)");
            }
            throw new IOException("cannot read " + file + ": " + e.getMessage(), e);
        }
    }

    static Optional<String> link(Path link) {
        try {
            return Optional.of(Files.readSymbolicLink(link).toString());
        } catch (IOException e) {
            if (gone(e)) {
                return Optional.empty();
            }
            throw new UncheckedIOException("cannot read link " + link + ": " + e.getMessage(), e);
        }
    }

    /** The numeric entries of a /proc directory (pids, tids, fds), or empty if it is gone. */
    static List<Integer> numbers(Path dir) {
        List<Integer> out = new ArrayList<>();
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(dir)) {
            for (Path entry : entries) {
                String name = entry.getFileName().toString();
                if (!name.isEmpty() && name.chars().allMatch(Character::isDigit)) {
                    out.add(Integer.parseInt(name));
                }
            }
        } catch (IOException e) {
            if (!gone(e)) {
                throw new UncheckedIOException("cannot list " + dir + ": " + e.getMessage(), e);
            }
        }
        out.sort(null);
        return out;
    }

    /** ENOENT on open, ESRCH on read: the process (or fd) went away between listing and reading. */
    static boolean gone(IOException e) {
        if (e instanceof NoSuchFileException || e instanceof NotDirectoryException) {
            return true;
        }
        String m = e.getMessage();
        return m != null && (m.contains("No such process") || m.contains("No such file"));
    }
}
