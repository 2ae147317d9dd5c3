package io.hotvirt.checkpoint.memory;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The kernel's swap zeromap (6.12+), as far as user space can see it: the /proc/vmstat counter of
 * zero-filled pages swapped out as zeromap entries, never written to their slot. Neither the
 * zeromap nor a per-area count is exposed, so this keeps the one sound inference there is: an
 * area seen empty (no slot in use, hence no zeromap entry) while the counter stood at some value
 * holds no zeromap entry as long as the counter still stands there.
 */
final class ZeroMap {

    static final String FALLBACK_REASON = "the swap zeromap is in use (/proc/vmstat swpout_zero > 0): a zero-filled"
            + " page's slot keeps older bytes on disk, so swapped pages whose slot does not read as zeros are read"
            + " through the process (swapped in and paged out again)";

    /** Swap area path → swpout_zero when it was last seen empty. */
    private static final Map<String, Long> EMPTY_AT = new ConcurrentHashMap<>();

    private ZeroMap() {
    }

    /**
     * Notes every area of {@code areas} that held no page, if the counter stood at {@code before}
     * (read before {@code areas} were) and still does: no zeromap entry was made in between.
     */
    static void observe(long before, List<SwapArea> areas) throws IOException {
        if (swpoutZero() != before) {
            return;
        }
        for (SwapArea a : areas) {
            if (a.usedKiB() == 0) {
                EMPTY_AT.put(a.path(), before);
            }
        }
    }

    /**
     * Whether a slot of {@code area} may be a zeromap entry, whose bytes on disk are not the page's:
     * false when the kernel has no zeromap or has never swapped out a zero-filled page since boot,
     * or when no zero-filled page was swapped out anywhere since the area was last seen empty.
     */
    static boolean possible(SwapArea area) throws IOException {
        long now = swpoutZero();
        return now > 0 && !Long.valueOf(now).equals(EMPTY_AT.get(area.path()));
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
