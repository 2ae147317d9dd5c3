package io.hotvirt.memory;

/**
 * A domain's memory use from its cgroup's accounting. Parts the kernel does not provide are
 * {@code null}.
 *
 * @param current   memory charged to the cgroup now (v1 memory.usage_in_bytes, v2 memory.current)
 * @param swap      swap in use (v1 memory.memsw.usage_in_bytes − usage, v2 memory.swap.current)
 * @param peak      the highest use seen (v1 memory.max_usage_in_bytes, v2 memory.peak)
 * @param anon      anonymous memory (memory.stat: v1 total_rss, v2 anon)
 * @param file      page cache (memory.stat: v1 total_cache, v2 file)
 * @param swapCached pages that are in swap and still in RAM as swap cache (memory.stat: v1
 *                  total_swapcached, v2 swapcached): charged until the kernel needs the memory
 * @param limitHits how often the hard limit was hit (v1 memory.failcnt, v2 memory.events max)
 * @param oom       times the domain ran out of memory (v2 memory.events oom; v1 has no counter)
 * @param oomKills  processes OOM-killed (v1 memory.oom_control oom_kill, v2 memory.events oom_kill)
 */
public record MemoryUsage(long current, Long swap, Long peak, Long anon, Long file, Long swapCached, long limitHits,
                          Long oom, long oomKills) {
}
