package io.hotvirt.checkpoint.shell;

import java.time.Instant;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;

/** Times and addresses as the checkpoint commands print them (sizes, durations, rates: io.hotvirt.shell.Units). */
final class Format {

    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss")
            .withZone(ZoneId.systemDefault());

    private Format() {
    }

    static String time(String isoInstant) {
        if (isoInstant == null) {
            return "?";
        }
        try {
            return TIME.format(Instant.parse(isoInstant));
        } catch (RuntimeException e) {
            return isoInstant;
        }
    }

    static String hex(long v) {
        return "0x" + Long.toHexString(v);
    }
}
