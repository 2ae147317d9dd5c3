package io.hotvirt.checkpoint.image;

import io.hotvirt.linux.jna.LibC;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;

/**
 * Checks an image before anything trusts it: the manifest's MAC with this node's key first (which
 * makes the file list and checksums trustworthy), then every file's size and SHA-256, streamed.
 * Every problem found is reported, each in words a user can act on.
 */
public final class ImageVerifier {

    private final byte[] key;

    public ImageVerifier(NodeKeyStore keys) throws IOException {
        this.key = keys.key();
    }

    public Result verify(Path image) throws IOException {
        List<String> problems = new ArrayList<>();
        String guarded = guardedParent(image.toAbsolutePath().getParent());
        if (guarded == null) {
            guarded = guarded(image);
        }
        if (guarded != null) {
            problems.add(guarded);
            return new Result(image, null, problems);
        }
        Path manifestFile = image.resolve(ImageFormat.MANIFEST);
        guarded = Files.exists(manifestFile, LinkOption.NOFOLLOW_LINKS) ? guarded(manifestFile) : null;
        if (guarded != null) {
            problems.add(guarded);
            return new Result(image, null, problems);
        }
        byte[] json;
        try {
            json = Files.readAllBytes(manifestFile);
        } catch (NoSuchFileException e) {
            problems.add("missing manifest: " + ImageFiles.notAnImage(image));
            return new Result(image, null, problems);
        }
        Manifest m;
        try {
            m = ManifestCodec.read(json);
        } catch (IOException e) {
            problems.add("unreadable manifest " + manifestFile + ": " + e.getMessage());
            return new Result(image, null, problems);
        }
        if (m.formatVersion() < ImageFormat.OLDEST_READABLE || m.formatVersion() > ImageFormat.VERSION) {
            problems.add("format version " + m.formatVersion() + ", this hotvirt reads versions "
                    + ImageFormat.OLDEST_READABLE + " to " + ImageFormat.VERSION);
            return new Result(image, m, problems);
        }
        if (!ImageMac.matches(key, m)) {
            problems.add("wrong MAC: the manifest was not made with this node's key (the image was made on"
                    + " another node" + (m.node() == null ? "" : ", it says '" + m.node() + "'")
                    + ", or it was tampered with)");
            return new Result(image, m, problems); // nothing it lists can be trusted: no use hashing it
        }
        Set<String> listed = new TreeSet<>();
        m.files().forEach(f -> listed.add(f.name()));
        // every file at once, each on every core: this is most of a restore's time
        try {
            m.files().parallelStream().map(f -> checkFile(image, f, m.formatVersion()))
                    .forEachOrdered(problems::addAll);
        } catch (java.io.UncheckedIOException e) {
            throw e.getCause();
        }
        try (Stream<Path> list = Files.list(image)) {
            list.map(p -> p.getFileName().toString())
                    .filter(n -> !n.equals(ImageFormat.MANIFEST) && !listed.contains(n))
                    .sorted()
                    .forEach(n -> problems.add("file " + n + " is not listed in the manifest"));
        }
        return new Result(image, m, problems);
    }

    private static List<String> checkFile(Path image, FileEntry f, int version) {
        String badName = ImageFiles.problem(f.name());
        if (badName != null) {
            return List.of(badName);
        }
        Path p = image.resolve(f.name());
        if (!Files.exists(p, LinkOption.NOFOLLOW_LINKS)) {
            return List.of("file " + f.name() + " is missing");
        }
        try {
            String guarded = guarded(p);
            if (guarded != null) {
                return List.of(guarded);
            }
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        try {
            long size = Files.size(p);
            if (size != f.size()) {
                return List.of("file " + f.name() + " is " + size + " bytes, manifest says " + f.size()
                        + (size < f.size() ? " (truncated)" : ""));
            }
            String actual = FileDigest.of(p, size, version);
            if (!actual.equalsIgnoreCase(f.sha256())) {
                return List.of("file " + f.name() + " checksum mismatch: SHA-256 is " + actual + ", manifest says "
                        + f.sha256());
            }
            return List.of();
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    /**
     * Null when only this node's hotvirt (its user) can change {@code p}, else why not. A restore
     * reads the image again after verifying it (zero-copy maps its page files), so nobody else may
     * be able to swap a file in between: the directory and its files belong to the user hotvirt
     * runs as, are writable by nobody else, and are real files, not symbolic links.
     */
    static String guarded(Path p) throws IOException {
        Map<String, Object> a = Files.readAttributes(p, "unix:uid,mode", LinkOption.NOFOLLOW_LINKS);
        int mode = (Integer) a.get("mode");
        int type = mode & 0170000;
        boolean dir = type == 0040000;
        if (type != 0100000 && !dir) {
            return p + " is not a regular " + (Files.isSymbolicLink(p) ? "file but a symbolic link" : "file")
                    + ": an image holds only regular files";
        }
        int uid = (Integer) a.get("uid");
        int self = LibC.INSTANCE.geteuid();
        if (uid != self || (mode & 022) != 0) {
            return p + " can be changed by " + (uid != self ? "user " + uid : "its group or others") + " (owner "
                    + uid + ", mode " + String.format("%04o", mode & 07777) + "), so it could change between"
                    + " verification and use: give it to hotvirt's user (uid " + self + ") with mode "
                    + (dir ? "0700" : "0600") + " (chown -R / chmod -R go-w)";
        }
        return null;
    }

    /** Null unless others could replace the whole image: a directory they may write, without the sticky bit. */
    private static String guardedParent(Path parent) throws IOException {
        if (parent == null) {
            return null;
        }
        int mode = (Integer) Files.getAttribute(parent, "unix:mode");
        if ((mode & 022) != 0 && (mode & 01000) == 0) {
            return "the image's directory " + parent + " can be written by its group or others (mode "
                    + String.format("%04o", mode & 07777) + "), who could replace the image between verification"
                    + " and use: keep images in a directory only hotvirt's user can write (chmod go-w " + parent
                    + ")";
        }
        return null;
    }

    /** The outcome: {@link #ok()} when there are no problems. */
    public record Result(Path image, Manifest manifest, List<String> problems) {

        public Result {
            problems = List.copyOf(problems);
        }

        public boolean ok() {
            return problems.isEmpty();
        }

        @Override
        public String toString() {
            return ok() ? image + ": OK" : image + ": " + String.join("; ", problems);
        }
    }
}
