package io.hotvirt.checkpoint.memory;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** The kernel's swap zeromap (6.12+), as far as user space can see it: /proc/vmstat counters. */
final class ZeroMap {

    static final String FALLBACK_REASON = "the swap zeromap is in use (/proc/vmstat swpout_zero > 0): a zero-filled"
            + " page's slot keeps older bytes on disk, so swapped pages whose slot does not read as zeros are read"
            + " through the process (swapped in and paged out again)";

    private ZeroMap() {
    }

    /**
     * Whether a swap slot may be a zeromap entry, whose bytes on disk are not the page's: false only
     * when the kernel has no zeromap or has never swapped out a zero-filled page since boot. The
     * counter is all user space sees: neither the zeromap nor a per-area count is exposed.
     */
    static boolean possible() throws IOException {
        return swpoutZero() > 0;
    }

    /** Zero-filled pages swapped out since boot as zeromap entries; -1 when the kernel has no zeromap. */
    static long swpoutZero() throws IOException {
        return vmstat("swpout_zero");
    }

    /** A /proc/vmstat counter, -1 when absent. */
    static long vmstat(String name) throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc/vmstat"))) {
            if (line.startsWith(name + " ")) {
                return Long.parseLong(line.substring(name.length() + 1).trim());
            }
        }
        return -1;
    }
}
