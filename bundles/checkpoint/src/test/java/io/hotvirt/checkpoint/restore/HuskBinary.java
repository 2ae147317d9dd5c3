package io.hotvirt.checkpoint.restore;

import io.hotvirt.checkpoint.testing.CWorkload;

import java.io.IOException;
import java.nio.file.Path;

/** husk.c built into target/workloads/: static (a tiny process) when the static libc is there, else dynamic. */
final class HuskBinary {

    private HuskBinary() {
    }

    static Path path() throws IOException, InterruptedException {
        try {
            return CWorkload.binary("husk", "-static");
        } catch (IOException noStaticLibc) {
            try {
                return CWorkload.binary("husk");
            } catch (IOException e) {
                e.addSuppressed(noStaticLibc);
                throw e;
            }
        }
    }
}
