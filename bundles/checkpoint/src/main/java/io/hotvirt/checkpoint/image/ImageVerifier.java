package io.hotvirt.checkpoint.image;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
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
        Path manifestFile = image.resolve(ImageFormat.MANIFEST);
        byte[] json;
        try {
            json = Files.readAllBytes(manifestFile);
        } catch (NoSuchFileException e) {
            problems.add("missing manifest: " + manifestFile + " does not exist (the image is incomplete"
                    + " or not a hotvirt image)");
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
        if (f.name().contains("/") || f.name().startsWith(".")) {
            return List.of("file " + f.name() + ": not a valid image file name");
        }
        Path p = image.resolve(f.name());
        if (!Files.isRegularFile(p)) {
            return List.of("file " + f.name() + " is missing");
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
