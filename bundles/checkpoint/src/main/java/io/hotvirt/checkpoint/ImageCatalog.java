package io.hotvirt.checkpoint;

import com.google.gson.Gson;
import com.google.gson.GsonBuilder;
import com.google.gson.JsonParseException;
import io.hotvirt.checkpoint.image.FileDigest;
import io.hotvirt.checkpoint.image.FileEntry;
import io.hotvirt.checkpoint.image.ImageFiles;
import io.hotvirt.checkpoint.image.ImageFormat;
import io.hotvirt.checkpoint.image.ImageMac;
import io.hotvirt.checkpoint.image.ImageVerifier;
import io.hotvirt.checkpoint.image.Manifest;
import io.hotvirt.checkpoint.image.ManifestCodec;
import io.hotvirt.checkpoint.image.NodeKeyStore;
import io.hotvirt.checkpoint.image.PartialImages;
import io.hotvirt.checkpoint.image.ProcessMetadata;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
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
     * {@code image} as a path: a relative one (a name from checkpoint:list, too) is taken inside the
     * image directory, where checkpoint:list looks, never against Karaf's working directory, and may
     * not lead out of it; an absolute one is taken as it is.
     */
    public Path resolve(String image) {
        if (image == null || image.isBlank()) {
            throw new IllegalArgumentException("no image given: a name from checkpoint:list, or a path");
        }
        Path path = absolute(image);
        if (!Files.isDirectory(path)) {
            throw new IllegalArgumentException("no image '" + image + "': " + path + " is not a directory"
                    + " (checkpoint:list shows the images in " + dir + "; a relative path is taken inside it)");
        }
        return path;
    }

    /**
     * Where {@code path} points: inside the image directory when relative (refusing one that leads
     * out of it, or names the directory itself), as given when absolute.
     */
    public Path absolute(String path) {
        Path given = Path.of(path);
        if (given.isAbsolute()) {
            return given.normalize();
        }
        Path base = dir.toAbsolutePath().normalize();
        Path p = base.resolve(given).normalize();
        if (!p.startsWith(base) || p.equals(base)) {
            throw new IllegalArgumentException("'" + path + "' leads out of the image directory " + base + ": a"
                    + " relative path is taken inside it; give an absolute path for a place elsewhere");
        }
        return p;
    }

    /** Every image directory under {@link #dir()}, newest first. */
    public List<Entry> list() throws IOException {
        return list(false);
    }

    /**
     * Every image directory under {@link #dir()}, newest first; with {@code partial}, after them the
     * partial images dumps left behind ({@link PartialImages}).
     */
    public List<Entry> list(boolean partial) throws IOException {
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
        if (partial) {
            for (Path p : PartialImages.in(dir)) {
                out.add(new Entry(p, p.getFileName().toString(), "?", null, 0, PartialImages.bytes(p), PARTIAL));
            }
        }
        return out;
    }

    /** The check column of a partial image. */
    public static final String PARTIAL = "no: partial (a dump that did not finish; checkpoint:delete removes it)";

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
            try {
                String bad = ImageFiles.notRegular(p, f.name());
                if (bad != null) {
                    return "no: " + bad;
                }
                if (Files.size(p.resolve(f.name())) != f.size()) {
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
        return ManifestCodec.read(ImageFiles.read(image, ImageFormat.MANIFEST));
    }

    public static DomainCheckpointer.DomainRecord domainRecord(Path image) throws IOException {
        return json(image, ImageFormat.DOMAIN, DomainCheckpointer.DomainRecord.class);
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
            throw new IllegalArgumentException(ImageFiles.notAnImage(image));
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
            bytes = ImageFiles.read(image, ImageFormat.DOMAIN);
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
        Manifest m;
        try {
            m = manifest(image);
        } catch (NoSuchFileException e) {
            throw new IllegalArgumentException(ImageFiles.notAnImage(image) + " (checkpoint:list shows the images in "
                    + dir + ")");
        }
        DomainCheckpointer.DomainRecord domain = Files.exists(image.resolve(ImageFormat.DOMAIN), LinkOption.NOFOLLOW_LINKS)
                ? domainRecord(image) : null;
        List<ProcessMetadata> processes = new ArrayList<>();
        for (int pid : m.processes()) {
            processes.add(json(image, ImageFormat.processFile(pid), ProcessMetadata.class));
        }
        DomainCheckpointer.FilesRecord files = Files.exists(image.resolve(ImageFormat.FILES), LinkOption.NOFOLLOW_LINKS)
                ? json(image, ImageFormat.FILES, DomainCheckpointer.FilesRecord.class) : null;
        return new Content(image, m, domain, processes, files);
    }

    /** Reads one JSON file of an image, never through a link ({@link ImageFiles#read}). */
    public static <T> T json(Path image, String name, Class<T> type) throws IOException {
        return parse(new String(ImageFiles.read(image, name), StandardCharsets.UTF_8), image.resolve(name), type);
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
     * Deletes an image: the files its manifest lists, the manifest, the directory — only after the
     * manifest's MAC checks out with this node's key, so a hand-made manifest is never obeyed, and
     * only plain regular files inside the image. Refuses a link to an image, a directory without a
     * manifest or holding files the manifest does not list, so a mistyped path never deletes anything
     * else. A partial image ({@link PartialImages}) of the image directory is removed whole.
     */
    public void delete(Path image) throws IOException {
        if (PartialImages.isPartial(image)) {
            Path parent = image.toAbsolutePath().normalize().getParent();
            if (!dir().toAbsolutePath().normalize().equals(parent) || Files.isSymbolicLink(image)) {
                throw new IllegalArgumentException(image + " looks like a partial image but is not one of the image"
                        + " directory " + dir() + ": not deleting it (remove it yourself if it is a leftover)");
            }
            PartialImages.delete(image);
            return;
        }
        if (Files.isSymbolicLink(image)) {
            throw new IllegalArgumentException(image + " is a symbolic link, not an image directory: not deleting"
                    + " through it (delete the image it points to by its own path)");
        }
        Manifest m;
        try {
            m = manifest(image);
        } catch (NoSuchFileException e) {
            throw new IllegalArgumentException(ImageFiles.notAnImage(image) + ": not deleting it");
        }
        if (!ImageMac.matches(keys.key(), m)) {
            throw new IllegalArgumentException(image + ": its manifest's MAC does not match this node's key (made on"
                    + " another node, or edited by hand): not deleting anything it names; check the directory and"
                    + " remove it by hand");
        }
        Set<String> listed = new TreeSet<>();
        for (FileEntry f : m.files()) {
            String bad = ImageFiles.notRegular(image, f.name());
            if (bad != null) {
                throw new IllegalArgumentException(image + ": " + bad + ": not deleting the image");
            }
            listed.add(f.name());
        }
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
            Files.deleteIfExists(ImageFiles.in(image, f.name()));
        }
        Files.delete(image);
    }
}
