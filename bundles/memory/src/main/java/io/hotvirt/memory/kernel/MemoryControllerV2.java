package io.hotvirt.memory.kernel;

import io.hotvirt.linux.cgroup.CgroupFiles;
import io.hotvirt.linux.jna.Errno;
import io.hotvirt.memory.MemorySettings;
import io.hotvirt.memory.MemoryUsage;

import java.io.IOException;
import java.util.Map;

/**
 * cgroup v2: memory.max, memory.high and memory.swap.max, each a number of bytes or {@code max};
 * accounting in memory.current, memory.swap.current, memory.peak, memory.stat and memory.events;
 * reclaim on demand through memory.reclaim (Linux 5.19+).
 *
 * <p>Lowering memory.max below the use makes the kernel reclaim at once and OOM-kill what it cannot
 * reclaim; lowering memory.high throttles and reclaims but never kills.
 */
public final class MemoryControllerV2 implements MemoryController {

    static final String MAX = "memory.max";
    static final String HIGH = "memory.high";
    static final String SWAP_MAX = "memory.swap.max";
    static final String CURRENT = "memory.current";
    static final String SWAP_CURRENT = "memory.swap.current";
    static final String PEAK = "memory.peak";
    static final String STAT = "memory.stat";
    static final String EVENTS = "memory.events";
    static final String RECLAIM = "memory.reclaim";

    @Override
    public String version() {
        return "v2";
    }

    @Override
    public void check(CgroupFiles cgroup, MemorySettings s) {
        if (s.swapMax() != null && !cgroup.exists(MEMORY, SWAP_MAX) && cgroup.exists(MEMORY, MAX)) {
            throw new IllegalArgumentException("a swap limit is not supported here: the kernel has no swap accounting"
                    + " (no " + SWAP_MAX + "; it needs CONFIG_MEMCG_SWAP and no swapaccount=0). --max works without"
                    + " it.");
        }
    }

    @Override
    public void apply(CgroupFiles cgroup, MemorySettings s) throws IOException {
        check(cgroup, s);
        // swap first: a lower max may need the swap to get there
        write(cgroup, SWAP_MAX, s.swapMax());
        write(cgroup, HIGH, s.high());
        write(cgroup, MAX, s.max());
    }

    private static void write(CgroupFiles cgroup, String file, Long bytes) throws IOException {
        if (!cgroup.exists(MEMORY, file)) {
            if (bytes != null) {
                throw new IOException("cgroup " + cgroup.path() + " has no " + file + ": the memory controller is not"
                        + " enabled for it (add +memory to its parent's cgroup.subtree_control)");
            }
            return;
        }
        cgroup.write(MEMORY, file, bytes == null ? "max" : Long.toString(bytes));
    }

    @Override
    public MemoryUsage usage(CgroupFiles cgroup) throws IOException {
        long current = number(cgroup.read(MEMORY, CURRENT));
        Long swap = cgroup.exists(MEMORY, SWAP_CURRENT) ? number(cgroup.read(MEMORY, SWAP_CURRENT)) : null;
        Long peak = cgroup.exists(MEMORY, PEAK) ? number(cgroup.read(MEMORY, PEAK)) : null;
        Map<String, Long> stat = cgroup.exists(MEMORY, STAT) ? KeyedValues.parse(cgroup.read(MEMORY, STAT)) : Map.of();
        Map<String, Long> events = cgroup.exists(MEMORY, EVENTS) ? KeyedValues.parse(cgroup.read(MEMORY, EVENTS)) : Map.of();
        return new MemoryUsage(current, swap, peak, stat.get("anon"), stat.get("file"), stat.get("swapcached"),
                events.getOrDefault("max", 0L),
                events.getOrDefault("oom", 0L), events.getOrDefault("oom_kill", 0L));
    }

    @Override
    public MemoryKnobs current(CgroupFiles cgroup) throws IOException {
        StringBuilder files = new StringBuilder();
        Long max = read(cgroup, MAX, files);
        Long high = read(cgroup, HIGH, files);
        Long swapMax = read(cgroup, SWAP_MAX, files);
        return new MemoryKnobs(max, high, swapMax, files.toString());
    }

    private static Long read(CgroupFiles cgroup, String file, StringBuilder files) throws IOException {
        if (!cgroup.exists(MEMORY, file)) {
            return null;
        }
        String value = cgroup.read(MEMORY, file).strip();
        if (files.length() > 0) {
            files.append(", ");
        }
        files.append(file).append('=').append(value);
        return value.equals("max") ? null : number(value);
    }

    @Override
    public boolean canReclaim(CgroupFiles cgroup) {
        return cgroup.exists(MEMORY, RECLAIM);
    }

    @Override
    public boolean reclaim(CgroupFiles cgroup, long bytes) throws IOException {
        if (!canReclaim(cgroup)) {
            throw new UnsupportedOperationException("cgroup " + cgroup.path() + " has no " + RECLAIM
                    + " (Linux 5.19+)");
        }
        try {
            cgroup.write(MEMORY, RECLAIM, Long.toString(bytes));
            return true;
        } catch (IOException e) {
            if (Errnos.of(e) == Errno.EAGAIN) {
                return false; // reclaimed less than asked: nothing more to take right now
            }
            throw e;
        }
    }

    static long number(String text) {
        return Long.parseLong(text.strip());
    }
}
