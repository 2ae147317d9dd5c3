package io.hotvirt.checkpoint.memory;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Maps the swap type of a pagemap entry to a swap area that can be read directly.
 *
 * <p>The swap type is the kernel's index into {@code swap_info[]}. swapon takes the lowest free
 * index and /proc/swaps lists the areas in index order, skipping free ones — so an area's position
 * in /proc/swaps equals its type only if no area before it was swapped off (a hole). /proc/swaps
 * does not show the type, so the assumption is checked with a canary ({@link SwapCanary}): a page
 * of this JVM pushed to swap with MADV_PAGEOUT and read back from the area at the position its
 * type names. A match at type t proves there is no hole below t, so every type up to t maps to its
 * position. Any other type, and every type when the check fails, is "unsure": its pages are read
 * through the process instead (which swaps them in) and counted as such.
 *
 * <p>Direct reading is refused outright when zswap is enabled (a swapped page may sit compressed in
 * RAM while its slot on disk holds stale data) and for zram (compressed in RAM; hotvirt does not
 * decode it, although the block device would hand out decompressed slots).
 */
public final class SwapAreas implements AutoCloseable {

    private static final Path PROC_SWAPS = Path.of("/proc/swaps");
    private static final Path ZSWAP_ENABLED = Path.of("/sys/module/zswap/parameters/enabled");

    private final List<SwapArea> areas;
    private final String refusal; // why no area can be read directly, or null
    private final Map<Integer, DirectSwapReader> readers = new HashMap<>();
    private final Map<Integer, String> unusable = new HashMap<>();
    private Integer trustedUpTo; // null until the canary ran; -1 if it failed
    private String canaryResult = "not run";

    SwapAreas(List<SwapArea> areas, String refusal) {
        this.areas = List.copyOf(areas);
        this.refusal = refusal;
    }

    /** The swap areas now active, read from /proc/swaps and /sys/module/zswap. */
    public static SwapAreas current() throws IOException {
        long zeroOut = ZeroMap.swpoutZero();
        List<SwapArea> areas = SwapArea.parse(Files.readString(PROC_SWAPS));
        ZeroMap.observe(zeroOut, areas);
        String refusal = null;
        if (Files.isReadable(ZSWAP_ENABLED) && Files.readString(ZSWAP_ENABLED).strip().equalsIgnoreCase("Y")) {
            refusal = "zswap is enabled: swapped pages may be compressed in RAM, and their slots on disk stale";
        }
        return new SwapAreas(areas, refusal);
    }

    /**
     * Notes which swap areas hold no page now: pages later swapped to such an area can be read
     * straight from their slots for as long as no zero-filled page is swapped out anywhere
     * ({@link ZeroMap}). Cheap; call it whenever swap areas may have been added.
     */
    public static void observe() throws IOException {
        long zeroOut = ZeroMap.swpoutZero();
        ZeroMap.observe(zeroOut, SwapArea.parse(Files.readString(PROC_SWAPS)));
    }

    public List<SwapArea> areas() {
        return areas;
    }

    /** What the canary found, for logs and statistics. */
    public String canaryResult() {
        return canaryResult;
    }

    /**
     * A reader for pages of swap type {@code type}, or empty when direct reading is not possible or
     * not certain; {@link #whyNot} then says why.
     */
    public Optional<DirectSwapReader> reader(int type) {
        DirectSwapReader r = readers.get(type);
        if (r != null) {
            return Optional.of(r);
        }
        if (unusable.containsKey(type)) {
            return Optional.empty();
        }
        String why = check(type);
        if (why != null) {
            unusable.put(type, why);
            return Optional.empty();
        }
        try {
            r = new DirectSwapReader(areas.get(type));
        } catch (IOException e) {
            unusable.put(type, e.getMessage());
            return Optional.empty();
        }
        readers.put(type, r);
        return Optional.of(r);
    }

    public String whyNot(int type) {
        return unusable.get(type);
    }

    private String check(int type) {
        if (refusal != null) {
            return refusal;
        }
        if (type < 0 || type >= areas.size()) {
            return "swap type " + type + " has no area at that position in /proc/swaps ("
                    + areas.size() + " listed): an earlier area was swapped off";
        }
        if (areas.get(type).compressed()) {
            return "swap area " + areas.get(type).path() + " is compressed (zram)";
        }
        verifyTypes();
        if (type > trustedUpTo) {
            return "swap type " + type + " could not be matched to a /proc/swaps line (canary: " + canaryResult + ")";
        }
        return null;
    }

    /**
     * Runs the canary once (a few ms to a few hundred; call it before the domain is stopped). A
     * canary found at its type's position proves the types up to it. One never found on disk is
     * inconclusive — its slot lies in a preallocated (unwritten) extent of a swap file, which reads
     * as zeros through the file, or its writeback did not finish in time — and then the documented
     * assumption (position = type, no area swapped off below) is used for every listed type.
     */
    public void verifyTypes() {
        if (trustedUpTo != null) {
            return;
        }
        trustedUpTo = -1;
        if (areas.isEmpty() || refusal != null) {
            canaryResult = areas.isEmpty() ? "no swap areas" : refusal;
            return;
        }
        try {
            SwapCanary.Outcome o = SwapCanary.run(this::openForCanary);
            if (o.matched()) {
                trustedUpTo = o.type();
                canaryResult = "verified: " + o.description();
            } else if (o.inconclusive()) {
                trustedUpTo = areas.size() - 1;
                canaryResult = "inconclusive (" + o.description() + "): assuming /proc/swaps position = swap type";
            } else {
                canaryResult = o.description();
            }
        } catch (IOException | RuntimeException e) {
            canaryResult = "failed: " + e.getMessage();
        }
    }

    /** The canary's readers are its own: a reader in {@link #readers} means "trusted". */
    private DirectSwapReader openForCanary(int type) throws IOException {
        return type < 0 || type >= areas.size() ? null : new DirectSwapReader(areas.get(type));
    }

    @Override
    public void close() {
        readers.values().forEach(DirectSwapReader::close);
        readers.clear();
    }
}
