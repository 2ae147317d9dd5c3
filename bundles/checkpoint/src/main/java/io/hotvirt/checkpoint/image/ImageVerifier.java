package io.hotvirt.checkpoint.image;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
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
        if (m.formatVersion() != ImageFormat.VERSION) {
            problems.add("format version " + m.formatVersion() + ", this hotvirt reads version " + ImageFormat.VERSION);
        }
        if (!ImageMac.matches(key, m)) {
            problems.add("wrong MAC: the manifest was not made with this node's key (the image was made on"
                    + " another node" + (m.node() == null ? "" : ", it says '" + m.node() + "'")
                    + ", or it was tampered with)");
        }
        Set<String> listed = new TreeSet<>();
        for (FileEntry f : m.files()) {
            listed.add(f.name());
            checkFile(image, f, problems);
        }
        try (Stream<Path> list = Files.list(image)) {
            list.map(p -> p.getFileName().toString())
                    .filter(n -> !n.equals(ImageFormat.MANIFEST) && !listed.contains(n))
                    .sorted()
                    .forEach(n -> problems.add("file " + n + " is not listed in the manifest"));
        }
        return new Result(image, m, problems);
    }

    private static void checkFile(Path image, FileEntry f, List<String> problems) throws IOException {
        if (f.name().contains("/") || f.name().startsWith(".")) {
            problems.add("file " + f.name() + ": not a valid image file name");
            return;
        }
        Path p = image.resolve(f.name());
        if (!Files.isRegularFile(p)) {
            problems.add("file " + f.name() + " is missing");
            return;
        }
        long size = Files.size(p);
        if (size != f.size()) {
            problems.add("file " + f.name() + " is " + size + " bytes, manifest says " + f.size()
                    + (size < f.size() ? " (truncated)" : ""));
            return;
        }
        String actual = sha256(p);
        if (!actual.equalsIgnoreCase(f.sha256())) {
            problems.add("file " + f.name() + " checksum mismatch: SHA-256 is " + actual + ", manifest says " + f.sha256());
        }
    }

    static String sha256(Path p) throws IOException {
        MessageDigest md;
        try {
            md = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
        byte[] buf = new byte[1 << 20];
        try (InputStream in = Files.newInputStream(p)) {
            for (int n; (n = in.read(buf)) > 0; ) {
                md.update(buf, 0, n);
            }
        }
        return HexFormat.of().formatHex(md.digest());
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
