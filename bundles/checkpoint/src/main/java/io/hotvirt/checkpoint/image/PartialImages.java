package io.hotvirt.checkpoint.image;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;

/**
 * The directories a dump writes before its image is complete ({@link ImageFormat#partialName}).
 * A dump that fails removes its own; one killed with the JVM leaves it behind (hundreds of MiB),
 * and it can never become an image, so these are found, shown and removed.
 */
public final class PartialImages {

    private static final String SUFFIX = ".partial";

    private PartialImages() {
    }

    /** Whether {@code name} is what {@link ImageFormat#partialName} makes. */
    public static boolean isPartialName(String name) {
        return name.startsWith(".") && name.endsWith(SUFFIX) && name.length() > SUFFIX.length() + 1
                && name.indexOf('/') < 0;
    }

    /** A real directory (not a link to one) with a partial image's name. */
    public static boolean isPartial(Path p) {
        return p.getFileName() != null && isPartialName(p.getFileName().toString())
                && Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS);
    }

    /** The partial images directly under {@code dir}, by name. */
    public static List<Path> in(Path dir) throws IOException {
        if (!Files.isDirectory(dir)) {
            return List.of();
        }
        try (Stream<Path> s = Files.list(dir)) {
            return s.filter(PartialImages::isPartial).sorted().toList();
        }
    }

    /** Bytes held by a partial image (its files, not following links). */
    public static long bytes(Path partial) {
        try (Stream<Path> walk = Files.walk(partial)) {
            return walk.filter(p -> Files.isRegularFile(p, LinkOption.NOFOLLOW_LINKS)).mapToLong(p -> {
                try {
                    return Files.size(p);
                } catch (IOException e) {
                    return 0;
                }
            }).sum();
        } catch (IOException | java.io.UncheckedIOException e) {
            return 0;
        }
    }

    /** Removes every partial image under {@code dir} but those in {@code writing}; returns those removed. */
    public static List<Path> sweep(Path dir, Set<Path> writing) throws IOException {
        List<Path> removed = new ArrayList<>();
        for (Path p : in(dir)) {
            if (!writing.contains(p.toAbsolutePath().normalize())) {
                delete(p);
                removed.add(p);
            }
        }
        return removed;
    }

    /** Removes one partial image; links inside it are removed, never followed. */
    public static void delete(Path partial) throws IOException {
        if (!isPartial(partial)) {
            throw new IllegalArgumentException(partial + " is not a partial image (.NAME" + SUFFIX + " directory)");
        }
        ImageWriter.deleteTree(partial);
    }
}
