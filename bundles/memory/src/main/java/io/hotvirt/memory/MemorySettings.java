package io.hotvirt.memory;

import io.hotvirt.shell.capability.CapabilitySettings;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * What the memory capability holds a domain to. Each part is optional: {@code null} means no limit.
 *
 * @param max     the hard limit in bytes (v1 memory.limit_in_bytes, v2 memory.max): above it the
 *                kernel reclaims, and OOM-kills what it cannot reclaim
 * @param high    the soft limit in bytes (v1 memory.soft_limit_in_bytes, v2 memory.high)
 * @param swapMax the swap the domain may use, in bytes; 0 forbids swap (v2 memory.swap.max; v1
 *                memory.memsw.limit_in_bytes = max + swapMax, so on v1 it needs a max)
 */
public record MemorySettings(Long max, Long high, Long swapMax) implements CapabilitySettings {

    /** The keys in {@code Domain.settings("memory")}; values are whole bytes. */
    public static final String MAX = "max";
    public static final String HIGH = "high";
    public static final String SWAP_MAX = "swapMax";

    /** No limit of any kind: what devirtualize restores. */
    public static final MemorySettings NONE = new MemorySettings(null, null, null);

    public MemorySettings {
        if (max != null && max <= 0) {
            throw new IllegalArgumentException("max must be positive: " + max);
        }
        if (high != null && high <= 0) {
            throw new IllegalArgumentException("high must be positive: " + high);
        }
        if (swapMax != null && swapMax < 0) {
            throw new IllegalArgumentException("swapMax must not be negative: " + swapMax);
        }
    }

    public boolean isUnlimited() {
        return max == null && high == null && swapMax == null;
    }

    public MemorySettings withMax(Long value) {
        return new MemorySettings(value, high, swapMax);
    }

    public MemorySettings withHigh(Long value) {
        return new MemorySettings(max, value, swapMax);
    }

    public MemorySettings withSwapMax(Long value) {
        return new MemorySettings(max, high, value);
    }

    /** The form stored with the domain; parts without a limit are left out. */
    @Override
    public Map<String, String> toMap() {
        Map<String, String> map = new LinkedHashMap<>();
        if (max != null) {
            map.put(MAX, max.toString());
        }
        if (high != null) {
            map.put(HIGH, high.toString());
        }
        if (swapMax != null) {
            map.put(SWAP_MAX, swapMax.toString());
        }
        return map;
    }

    /**
     * Reads settings stored with a domain. Unknown keys are ignored (a later version may add some);
     * values are bytes, but sizes such as {@code 64M} are read too (settings written by hand).
     *
     * @throws IllegalArgumentException when a stored value does not parse or is out of range
     */
    public static MemorySettings fromMap(Map<String, String> map) {
        return new MemorySettings(stored(map, MAX), stored(map, HIGH), stored(map, SWAP_MAX));
    }

    private static Long stored(Map<String, String> map, String key) {
        String value = map.get(key);
        if (value == null || value.isBlank() || Sizes.isUnlimited(value)) {
            return null;
        }
        return Sizes.parse(value, "stored " + key);
    }

    /** One line for people: {@code max 64 MiB, high unlimited, swap max unlimited}. */
    @Override
    public String describe() {
        return "max " + Sizes.format(max) + ", high " + Sizes.format(high) + ", swap max " + Sizes.format(swapMax);
    }
}
