package io.hotvirt.cpu.kernel;

import io.hotvirt.cpu.CpuList;

/**
 * What the kernel holds a domain's cgroup to right now, read back from its files.
 *
 * @param cpus   bandwidth as CPUs, or {@code null} when unlimited
 * @param weight weight on the v2 scale (converted from cpu.shares on v1)
 * @param pin    the cgroup's own cpuset.cpus, or {@code null} when it has none of its own (v2
 *               inherits) or no cpuset controller
 * @param files  the raw file values, e.g. {@code cpu.max=20000 100000, cpu.weight=100}
 */
public record CpuKnobs(Double cpus, int weight, CpuList pin, String files) {
}
