package io.hotvirt.checkpoint.image;

import java.io.IOException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.Set;

/**
 * The files an image names (in its manifest, {@code files.json}, {@code shm.json}) as paths that
 * never leave the image: a name is one plain path element, and a file is read only if it is a
 * regular file, never through a symbolic link. Whoever can write an image directory can write any
 * name into it; hotvirt runs as root, so a name such as {@code ../victim} must never reach a read,
 * a map or a delete.
 */
public final class ImageFiles {

    private ImageFiles() {
    }

    /** {@code name} of {@code image}. @throws IllegalArgumentException unless it is a plain file name */
    public static Path in(Path image, String name) {
        check(name);
        return image.resolve(name);
    }

    /** @throws IllegalArgumentException unless {@code name} is one plain element that stays in the image */
    public static void check(String name) {
        String problem = problem(name);
        if (problem != null) {
            throw new IllegalArgumentException(problem);
        }
    }

    /** Null for a plain file name, else why it is refused. */
    public static String problem(String name) {
        if (name == null || name.isEmpty()) {
            return "the image names a file with an empty name: refused";
        }
        if (name.contains("/") || name.startsWith(".") || name.indexOf('\0') >= 0) {
            return "the image names a file '" + name + "', which is not a plain file name inside the image"
                    + " (a '/', '..' or a leading '.'): refused, nothing outside an image is ever read or deleted";
        }
        return null;
    }

    /** The bytes of {@code name} in {@code image}, refusing a symbolic link or anything but a regular file. */
    public static byte[] read(Path image, String name) throws IOException {
        Path p = in(image, name);
        try (var ch = Files.newByteChannel(p, Set.of(StandardOpenOption.READ, LinkOption.NOFOLLOW_LINKS))) {
            BasicFileAttributes a = Files.readAttributes(p, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
            if (!a.isRegularFile()) {
                throw new IOException(p + " is not a regular file: an image holds only regular files");
            }
            return java.nio.channels.Channels.newInputStream(ch).readAllBytes();
        } catch (NoSuchFileException e) {
            throw e;
        } catch (FileSystemException e) {
            if (Files.isSymbolicLink(p)) {
                throw new IOException(p + " is a symbolic link: an image holds only regular files, refused", e);
            }
            throw e;
        }
    }

    /** Null if {@code name} of {@code image} is a regular file or absent, else why it may not be touched. */
    public static String notRegular(Path image, String name) throws IOException {
        String problem = problem(name);
        if (problem != null) {
            return problem;
        }
        Path p = image.resolve(name);
        if (!Files.exists(p, LinkOption.NOFOLLOW_LINKS)) {
            return null;
        }
        if (Files.isSymbolicLink(p)) {
            return p + " is a symbolic link: an image holds only regular files, refused";
        }
        if (!Files.isRegularFile(p, LinkOption.NOFOLLOW_LINKS)) {
            return p + " is not a regular file: an image holds only regular files, refused";
        }
        return null;
    }

    /** What to say about a directory without a manifest. */
    public static String notAnImage(Path dir) {
        if (PartialImages.isPartialName(dir.getFileName() == null ? "" : dir.getFileName().toString())) {
            return dir + " is a partial image left by a dump that did not finish (it has no " + ImageFormat.MANIFEST
                    + "): it cannot be used; checkpoint:delete removes it";
        }
        return dir + " is not a hotvirt image: it has no " + ImageFormat.MANIFEST;
    }
}
