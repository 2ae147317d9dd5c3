package io.hotvirt.core;

import org.slf4j.Logger;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Set;

/** hotvirt's data directory: made private (0700) when missing, never chmod'ed when a user made it. */
final class DataDirectory {

    private DataDirectory() {
    }

    /**
     * Makes {@code dir} (and its parents) with mode 0700 when missing. An existing directory is
     * left as it is — it may be one the user chose and shares — with a warning when others can
     * enter it; a warning too when it lies inside Karaf's home, which a rebuild of the
     * distribution deletes.
     */
    static Path prepare(Path dir, String karafHome, Logger log) throws IOException {
        if (!Files.isDirectory(dir)) {
            Files.createDirectories(dir, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
            Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwx------")); // despite the umask
        } else {
            Set<PosixFilePermission> mode = Files.getPosixFilePermissions(dir);
            if (mode.contains(PosixFilePermission.OTHERS_EXECUTE) || mode.contains(PosixFilePermission.GROUP_EXECUTE)) {
                log.warn("hotvirt's data directory {} is open to other users ({}): it holds the node key that signs"
                        + " images; chmod 700 {}", dir, PosixFilePermissions.toString(mode), dir);
            }
        }
        if (karafHome != null && dir.toRealPath().startsWith(Path.of(karafHome).toRealPath())) {
            log.warn("hotvirt's data directory {} lies inside Karaf's home {}: rebuilding or reinstalling the"
                    + " distribution deletes the domain registry, the node key and the images; set dataDir in etc/{}.cfg"
                    + " to a directory outside it", dir, karafHome, CoreSettings.PID);
        }
        return dir;
    }
}
