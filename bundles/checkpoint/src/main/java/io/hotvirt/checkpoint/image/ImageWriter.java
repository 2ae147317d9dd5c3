package io.hotvirt.checkpoint.image;

import com.google.gson.Gson;
import com.google.gson.GsonBuilder;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;

/**
 * Builds an image in {@code .NAME.partial} next to its final place and renames it into place only
 * in {@link #commit}, after every file and then the manifest are on disk: a crash leaves a partial
 * directory (removed by {@link #abort} or the next writer), never a half image under the real name.
 */
public final class ImageWriter implements AutoCloseable {

    private static final Gson GSON = new GsonBuilder().disableHtmlEscaping().setPrettyPrinting().create();

    private final Path target;
    private final Path partial;
    private final byte[] key;
    private final String node;
    private final List<ImageFile> files = new ArrayList<>();
    private boolean done;

    private ImageWriter(Path target, Path partial, byte[] key, String node) {
        this.target = target;
        this.partial = partial;
        this.key = key;
        this.node = node;
    }

    /**
     * Starts image {@code name} under {@code parent}.
     *
     * @throws FileAlreadyExistsException if an image of that name exists
     */
    public static ImageWriter create(Path parent, String name, NodeKeyStore keys, String node) throws IOException {
        ImageFormat.checkName(name);
        Path target = parent.resolve(name);
        if (Files.exists(target)) {
            throw new FileAlreadyExistsException(target.toString(), null, "an image of that name exists already");
        }
        Files.createDirectories(parent);
        Path partial = parent.resolve(ImageFormat.partialName(name));
        deleteTree(partial); // left over from a crash: it was never an image
        Files.createDirectory(partial, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
        return new ImageWriter(target, partial, keys.key(), node);
    }

    /** The directory being written (for diagnostics only: it is not an image yet). */
    public Path partialDir() {
        return partial;
    }

    /** A new file of the image, mode 0600. Close it before {@link #commit}. */
    public ImageFile file(String name) throws IOException {
        if (name.equals(ImageFormat.MANIFEST) || name.contains("/") || name.startsWith(".")) {
            throw new IllegalArgumentException("not an image file name: " + name);
        }
        ImageFile f = new ImageFile(partial, name);
        files.add(f);
        return f;
    }

    /** Writes a small metadata object as pretty JSON. */
    public void json(String name, Object value) throws IOException {
        try (ImageFile f = file(name)) {
            f.writeFully(ByteBuffer.wrap(GSON.toJson(value).getBytes(StandardCharsets.UTF_8)));
        }
    }

    /**
     * Checksums and fsyncs every file, writes the manifest (atomically: temp file, fsync, rename),
     * fsyncs the directory, and renames the directory into place. Returns the image directory.
     */
    public Path commit(List<Integer> processes, DumpStats stats) throws IOException {
        List<FileEntry> entries = new ArrayList<>();
        try {
            files.parallelStream().map(ImageWriter::seal).forEachOrdered(entries::add); // on every core
        } catch (java.io.UncheckedIOException e) {
            throw e.getCause();
        }
        entries.sort(Comparator.comparing(FileEntry::name));
        Manifest m = new Manifest(ImageFormat.VERSION, node, Instant.now().toString(), processes, entries, stats, null);
        m = m.withMac(ImageMac.compute(key, m));
        Path tmp = partial.resolve(".manifest.tmp");
        try (FileChannel ch = FileChannel.open(tmp, java.util.Set.of(StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE),
                PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")))) {
            ByteBuffer b = ByteBuffer.wrap(ManifestCodec.write(m));
            while (b.hasRemaining()) {
                ch.write(b);
            }
            ch.force(true);
        }
        Files.move(tmp, partial.resolve(ImageFormat.MANIFEST), StandardCopyOption.ATOMIC_MOVE);
        fsyncDir(partial);
        Files.move(partial, target, StandardCopyOption.ATOMIC_MOVE); // rename(2): fails if target appeared meanwhile
        fsyncDir(target.getParent());
        done = true;
        return target;
    }

    private static FileEntry seal(ImageFile f) {
        try {
            return f.seal();
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    /** Removes everything written; the image never existed. */
    public void abort() throws IOException {
        if (!done) {
            for (ImageFile f : files) {
                try {
                    f.close();
                } catch (IOException ignored) {
                    // removed below anyway
                }
            }
            deleteTree(partial);
            done = true;
        }
    }

    /** Aborts unless committed, so try-with-resources never leaves a partial image behind. */
    @Override
    public void close() throws IOException {
        abort();
    }

    static void fsyncDir(Path dir) throws IOException {
        try (FileChannel ch = FileChannel.open(dir, StandardOpenOption.READ)) {
            ch.force(true);
        }
    }

    static void deleteTree(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> walk = Files.walk(dir)) {
            for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }
}
