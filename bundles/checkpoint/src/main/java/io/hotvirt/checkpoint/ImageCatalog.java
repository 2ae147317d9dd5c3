package io.hotvirt.checkpoint;

import com.google.gson.Gson;
import com.google.gson.GsonBuilder;
import com.google.gson.JsonParseException;
import io.hotvirt.checkpoint.image.FileDigest;
import io.hotvirt.checkpoint.image.FileEntry;
import io.hotvirt.checkpoint.image.ImageFormat;
import io.hotvirt.checkpoint.image.ImageMac;
import io.hotvirt.checkpoint.image.ImageVerifier;
import io.hotvirt.checkpoint.image.Manifest;
import io.hotvirt.checkpoint.image.ManifestCodec;
import io.hotvirt.checkpoint.image.NodeKeyStore;
import io.hotvirt.checkpoint.image.ProcessMetadata;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;

/**
 * The images in a directory: finding one by name or path, a quick check (MAC and file sizes, no
 * checksums), reading one back for display, and deleting one — only ever a directory that is a
 * hotvirt image, and only the files its manifest lists.
 */
public final class ImageCatalog {

    private static final Gson GSON = new GsonBuilder().create();

    private final Path dir;
    private final NodeKeyStore keys;

    public ImageCatalog(Path dir, NodeKeyStore keys) {
        this.dir = dir;
        this.keys = keys;
    }

    public Path dir() {
        return dir;
    }

    /** One image as checkpoint:list shows it. */
    public record Entry(Path path, String name, String domain, String created, int processes, long bytes,
                        String check) {
    }

    /** An image read back: manifest, domain record, processes and files. */
    public record Content(Path path, Manifest manifest, DomainCheckpointer.DomainRecord domain,
                          List<ProcessMetadata> processes, DomainCheckpointer.FilesRecord files) {
    }

    /**
     * {@code image} as a name under the image directory (when it is a plain name and such an image
     * exists there), else as a path.
     */
    public Path resolve(String image) {
        if (image == null || image.isBlank()) {
            throw new IllegalArgumentException("no image given: a name from checkpoint:list, or a path");
        }
        if (!image.contains("/")) {
            Path named = dir.resolve(image);
            if (Files.isDirectory(named)) {
                return named;
            }
        }
        Path path = Path.of(image).toAbsolutePath().normalize();
        if (!Files.isDirectory(path)) {
            throw new IllegalArgumentException("no image '" + image + "': neither " + dir.resolve(image)
                    + " nor " + path + " is a directory (checkpoint:list shows the images in " + dir + ")");
        }
        return path;
    }

    /** Every image directory under {@link #dir()}, newest first. */
    public List<Entry> list() throws IOException {
        List<Entry> out = new ArrayList<>();
        if (!Files.isDirectory(dir)) {
            return out;
        }
        try (Stream<Path> s = Files.list(dir)) {
            for (Path p : s.filter(Files::isDirectory).filter(p -> !p.getFileName().toString().startsWith("."))
                    .toList()) {
                out.add(entry(p));
            }
        }
        out.sort(Comparator.comparing(Entry::created, Comparator.nullsFirst(Comparator.naturalOrder())).reversed()
                .thenComparing(Entry::name));
        return out;
    }

    /** The list line of one image, with the quick check. */
    public Entry entry(Path p) {
        String name = p.getFileName().toString();
        Manifest m;
        try {
            m = manifest(p);
        } catch (NoSuchFileException e) {
            return new Entry(p, name, "?", null, 0, 0, "no: no manifest (incomplete, or not an image)");
        } catch (IOException e) {
            return new Entry(p, name, "?", null, 0, 0, "no: " + e.getMessage());
        }
        String domain = "?";
        try {
            domain = domainRecord(p).domain();
        } catch (IOException | RuntimeException e) {
            // shown as ?
        }
        long bytes = m.files().stream().mapToLong(FileEntry::size).sum();
        return new Entry(p, name, domain, m.created(), m.processes().size(), bytes, quickCheck(p, m));
    }

    /** MAC and sizes only: "MAC ok" or "no: the first problem". checkpoint:verify also checks every checksum. */
    public String quickCheck(Path p, Manifest m) {
        try {
            if (!ImageMac.matches(keys.key(), m)) {
                return "no: wrong MAC";
            }
        } catch (IOException e) {
            return "no: node key unreadable: " + e.getMessage();
        }
        for (FileEntry f : m.files()) {
            Path file = p.resolve(f.name());
            try {
                if (Files.size(file) != f.size()) {
                    return "no: " + f.name() + " has the wrong size";
                }
            } catch (IOException e) {
                return "no: " + f.name() + " is missing";
            }
        }
        return "MAC ok";
    }

    /** Full verification: MAC, then every file's size and SHA-256. */
    public ImageVerifier.Result verify(Path p) throws IOException {
        return new ImageVerifier(keys).verify(p);
    }

    public static Manifest manifest(Path image) throws IOException {
        return ManifestCodec.read(Files.readAllBytes(image.resolve(ImageFormat.MANIFEST)));
    }

    public static DomainCheckpointer.DomainRecord domainRecord(Path image) throws IOException {
        return json(image.resolve(ImageFormat.DOMAIN), DomainCheckpointer.DomainRecord.class);
    }

    /**
     * {@code domain.json} as the image's MAC vouches for it: the manifest's MAC with this node's key,
     * then the bytes read against the manifest's size and SHA-256 of that file, then parsed. Cheap
     * (one small file), so a restore can trust the domain's name and settings before the full check.
     *
     * @throws IllegalArgumentException naming the problem when the image does not vouch for it
     */
    public DomainCheckpointer.DomainRecord trustedDomainRecord(Path image) throws IOException {
        Manifest m;
        try {
            m = manifest(image);
        } catch (NoSuchFileException e) {
            throw new IllegalArgumentException(image + " is not a complete hotvirt image: it has no "
                    + ImageFormat.MANIFEST);
        } catch (IOException e) {
            throw new IllegalArgumentException("image " + image + ": unreadable manifest: " + e.getMessage(), e);
        }
        if (!ImageMac.matches(keys.key(), m)) {
            throw new IllegalArgumentException("image " + image + " has a wrong MAC: its manifest was not made with"
                    + " this node's key (made on another node, or tampered with)");
        }
        FileEntry entry = m.files().stream().filter(f -> f.name().equals(ImageFormat.DOMAIN)).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("image " + image + " lists no " + ImageFormat.DOMAIN));
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(image.resolve(ImageFormat.DOMAIN));
        } catch (NoSuchFileException e) {
            throw new IllegalArgumentException("image " + image + ": file " + ImageFormat.DOMAIN + " is missing");
        }
        String sha = FileDigest.of(bytes, m.formatVersion());
        if (bytes.length != entry.size() || !sha.equalsIgnoreCase(entry.sha256())) {
            throw new IllegalArgumentException("image " + image + ": file " + ImageFormat.DOMAIN
                    + " checksum mismatch: SHA-256 is " + sha + ", manifest says " + entry.sha256());
        }
        return parse(new String(bytes, StandardCharsets.UTF_8), image.resolve(ImageFormat.DOMAIN),
                DomainCheckpointer.DomainRecord.class);
    }

    /** Reads the whole image's metadata (not its pages) for display. */
    public Content read(Path image) throws IOException {
        Manifest m = manifest(image);
        DomainCheckpointer.DomainRecord domain = Files.exists(image.resolve(ImageFormat.DOMAIN))
                ? domainRecord(image) : null;
        List<ProcessMetadata> processes = new ArrayList<>();
        for (int pid : m.processes()) {
            processes.add(json(image.resolve(ImageFormat.processFile(pid)), ProcessMetadata.class));
        }
        Path f = image.resolve(ImageFormat.FILES);
        DomainCheckpointer.FilesRecord files = Files.exists(f) ? json(f, DomainCheckpointer.FilesRecord.class) : null;
        return new Content(image, m, domain, processes, files);
    }

    /** Reads one JSON file of an image. */
    public static <T> T json(Path file, Class<T> type) throws IOException {
        return parse(Files.readString(file, StandardCharsets.UTF_8), file, type);
    }

    private static <T> T parse(String text, Path file, Class<T> type) throws IOException {
        try {
            T value = GSON.fromJson(text, type);
            if (value == null) {
                throw new IOException(file + " is empty");
            }
            return value;
        } catch (JsonParseException e) {
            throw new IOException(file + " is not valid: " + e.getMessage(), e);
        }
    }

    /**
     * Deletes an image: the files its manifest lists, the manifest, the directory. Refuses a
     * directory without a readable manifest or holding files the manifest does not list, so a
     * mistyped path never deletes anything else.
     */
    public void delete(Path image) throws IOException {
        Manifest m;
        try {
            m = manifest(image);
        } catch (NoSuchFileException e) {
            throw new IllegalArgumentException(image + " is not a hotvirt image (it has no " + ImageFormat.MANIFEST
                    + "): not deleting it");
        }
        Set<String> listed = new TreeSet<>();
        m.files().forEach(f -> listed.add(f.name()));
        listed.add(ImageFormat.MANIFEST);
        List<String> foreign;
        try (Stream<Path> s = Files.list(image)) {
            foreign = s.map(p -> p.getFileName().toString()).filter(n -> !listed.contains(n)).sorted().toList();
        }
        if (!foreign.isEmpty()) {
            throw new IllegalArgumentException(image + " holds files that are not part of the image (" + foreign
                    + "): not deleting it; remove them first");
        }
        // the manifest first: from then on the directory is no image, never a half one
        Files.deleteIfExists(image.resolve(ImageFormat.MANIFEST));
        for (FileEntry f : m.files()) {
            Files.deleteIfExists(image.resolve(f.name()));
        }
        Files.delete(image);
    }
}
