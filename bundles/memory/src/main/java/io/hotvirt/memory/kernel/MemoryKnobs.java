package io.hotvirt.memory.kernel;

/**
 * What the kernel holds a domain's cgroup to right now, read back from its files.
 *
 * @param max     the hard limit in bytes, or {@code null} when unlimited
 * @param high    the soft limit in bytes, or {@code null} when unlimited
 * @param swapMax the swap allowed in bytes, or {@code null} when unlimited (v1: memsw − limit)
 * @param files   the raw file values, e.g. {@code memory.max=67108864, memory.high=max}
 */
public record MemoryKnobs(Long max, Long high, Long swapMax, String files) {
}
