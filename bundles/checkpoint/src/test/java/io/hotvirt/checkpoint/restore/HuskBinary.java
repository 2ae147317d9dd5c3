package io.hotvirt.checkpoint.restore;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/** husk.c built with gcc (static when the static libc is there) into target/workloads/ on first use. */
final class HuskBinary {

    private static final Path SOURCE = Path.of("src/test/resources/workloads/husk.c");
    private static final Path BINARY = Path.of("target/workloads/husk");

    private HuskBinary() {
    }

    static synchronized Path path() throws IOException, InterruptedException {
        if (Files.exists(BINARY) && Files.getLastModifiedTime(BINARY).compareTo(Files.getLastModifiedTime(SOURCE)) > 0) {
            return BINARY.toAbsolutePath();
        }
        Files.createDirectories(BINARY.getParent());
        String out = gcc("-static");
        if (out != null) {
            String dynamic = gcc();
            if (dynamic != null) {
                throw new IOException("gcc failed: " + out + "\n" + dynamic);
            }
        }
        return BINARY.toAbsolutePath();
    }

    /** null on success, else gcc's output. gcc is a build tool, not a workload: ProcessBuilder is fine. */
    private static String gcc(String... extra) throws IOException, InterruptedException {
        java.util.List<String> cmd = new java.util.ArrayList<>(java.util.List.of("gcc", "-O2", "-Wall"));
        cmd.addAll(java.util.List.of(extra));
        cmd.addAll(java.util.List.of("-o", BINARY.toString(), SOURCE.toString()));
        Process gcc = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(gcc.getInputStream().readAllBytes());
        if (!gcc.waitFor(60, TimeUnit.SECONDS) || gcc.exitValue() != 0) {
            return out;
        }
        return null;
    }
}
