package io.hotvirt.core.registry;

import com.google.gson.Gson;
import com.google.gson.GsonBuilder;
import com.google.gson.JsonParseException;
import com.google.gson.reflect.TypeToken;

import java.io.IOException;
import java.io.Reader;
import java.io.Writer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * The domains hotvirt manages, kept in one JSON file. Every change is written to a temporary file,
 * forced to disk and renamed over the old one, so a crash leaves either the old or the new registry,
 * never a torn one. Not thread-safe: the monitor serializes access.
 */
public final class DomainRegistry {

    private static final Gson GSON = new GsonBuilder().setPrettyPrinting().disableHtmlEscaping().create();

    private final Path file;
    private final Map<String, DomainRecord> domains = new TreeMap<>();

    private DomainRegistry(Path file) {
        this.file = file;
    }

    /** Opens the registry in {@code file}, reading it if it exists. */
    public static DomainRegistry open(Path file) throws IOException {
        DomainRegistry registry = new DomainRegistry(file);
        Files.createDirectories(file.getParent());
        if (Files.exists(file)) {
            try (Reader in = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
                List<DomainRecord> records = GSON.fromJson(in, new TypeToken<List<DomainRecord>>() { }.getType());
                if (records != null) {
                    records.forEach(r -> registry.domains.put(r.name(), r));
                }
            } catch (JsonParseException e) {
                throw new IOException("domain registry " + file + " is corrupt (" + e.getMessage()
                        + "): move it aside to start with an empty registry", e);
            }
        }
        return registry;
    }

    public Optional<DomainRecord> get(String name) {
        return Optional.ofNullable(domains.get(name));
    }

    public Collection<DomainRecord> all() {
        return List.copyOf(domains.values());
    }

    public void put(DomainRecord record) throws IOException {
        DomainRecord previous = domains.put(record.name(), record);
        try {
            save();
        } catch (IOException e) {
            if (previous == null) {
                domains.remove(record.name());
            } else {
                domains.put(record.name(), previous);
            }
            throw e;
        }
    }

    public void remove(String name) throws IOException {
        DomainRecord previous = domains.remove(name);
        if (previous != null) {
            try {
                save();
            } catch (IOException e) {
                domains.put(name, previous);
                throw e;
            }
        }
    }

    private void save() throws IOException {
        Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
        try (FileChannel channel = FileChannel.open(tmp, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.TRUNCATE_EXISTING);
             Writer out = java.nio.channels.Channels.newWriter(channel, StandardCharsets.UTF_8)) {
            GSON.toJson(new ArrayList<>(domains.values()), out);
            out.flush();
            channel.force(true);
        }
        Files.setPosixFilePermissions(tmp, PosixFilePermissions.fromString("rw-------"));
        Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    }
}
