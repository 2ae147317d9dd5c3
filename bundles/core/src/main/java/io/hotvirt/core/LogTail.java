package io.hotvirt.core;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;

/** The last lines of a domain's log, to put in an error message. Reads only the end of the file. */
final class LogTail {

    private static final int LINES = 5;
    private static final int MAX_BYTES = 4096;

    private LogTail() {
    }

    static String read(Path log) {
        try (RandomAccessFile file = new RandomAccessFile(log.toFile(), "r")) {
            long start = Math.max(0, file.length() - MAX_BYTES);
            byte[] bytes = new byte[(int) (file.length() - start)];
            file.seek(start);
            file.readFully(bytes);
            List<String> lines = Arrays.asList(new String(bytes, StandardCharsets.UTF_8).strip().split("\n"));
            List<String> tail = lines.subList(Math.max(0, lines.size() - LINES), lines.size());
            String text = String.join(" / ", tail).strip();
            return text.isEmpty() ? "(nothing)" : text;
        } catch (IOException e) {
            return "(cannot read " + log + ": " + e.getMessage() + ")";
        }
    }
}
