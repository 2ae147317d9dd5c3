package io.hotvirt.checkpoint.image;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.Set;

/**
 * The node key that MACs this node's images: 32 random bytes in {@code DIR/node.key}, made on first
 * use with mode 0600 (its directory 0700). In Karaf DIR is hotvirt's data directory (dataDir of
 * io.hotvirt, by default /var/lib/hotvirt), outside Karaf's home, so no Karaf subsystem serves it. An image made with another key fails verification, which is how
 * restore notices an image from another node or one that was edited.
 */
public final class NodeKeyStore {

    public static final String FILE = "node.key";
    public static final int KEY_BYTES = 32;

    private final Path dir;

    public NodeKeyStore(Path dir) {
        this.dir = dir;
    }

    public Path file() {
        return dir.resolve(FILE);
    }

    /** The key, created if there is none yet. Safe against a concurrent first use (O_EXCL). */
    public synchronized byte[] key() throws IOException {
        Path file = file();
        if (!Files.exists(file)) {
            create(file);
        }
        byte[] key = Files.readAllBytes(file);
        if (key.length != KEY_BYTES) {
            throw new IOException(file + " holds " + key.length + " bytes, not a " + KEY_BYTES
                    + "-byte hotvirt node key: restore it from a backup, or delete it to make a new one"
                    + " (images made with the old key will then fail verification)");
        }
        return key;
    }

    private void create(Path file) throws IOException {
        if (!Files.isDirectory(dir)) {
            Files.createDirectories(dir, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
        }
        byte[] key = new byte[KEY_BYTES];
        new SecureRandom().nextBytes(key);
        Path tmp = dir.resolve(FILE + ".tmp" + ProcessHandle.current().pid());
        try (FileChannel ch = FileChannel.open(tmp, Set.of(StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE),
                PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")))) {
            ch.write(ByteBuffer.wrap(key));
            ch.force(true);
        }
        try {
            Files.createLink(file, tmp); // link(2) fails if another thread or process won the race
        } catch (FileAlreadyExistsException e) {
            // keep theirs
        } finally {
            Files.deleteIfExists(tmp);
        }
    }
}
