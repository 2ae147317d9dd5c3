package io.hotvirt.memory.kernel;

import io.hotvirt.linux.cgroup.CgroupFiles;
import io.hotvirt.linux.jna.Errno;
import io.hotvirt.memory.MemorySettings;
import io.hotvirt.memory.MemoryUsage;
import io.hotvirt.memory.Sizes;

import java.io.IOException;
import java.util.Map;

/**
 * cgroup v1: the hard limit in memory.limit_in_bytes, the soft limit in memory.soft_limit_in_bytes,
 * and memory plus swap together in memory.memsw.limit_in_bytes (only with swap accounting, the
 * kernel's swapaccount=1). -1 lifts a limit; unlimited reads back as 9223372036854771712.
 *
 * <p>The kernel keeps limit_in_bytes ≤ memsw.limit_in_bytes at every write, so memsw is lifted first
 * and set last. Lowering a limit below the use makes the write reclaim at once; if the kernel cannot
 * get below it the write fails with EBUSY and the limit stays as it was.
 */
public final class MemoryControllerV1 implements MemoryController {

    static final String LIMIT = "memory.limit_in_bytes";
    static final String SOFT_LIMIT = "memory.soft_limit_in_bytes";
    static final String MEMSW_LIMIT = "memory.memsw.limit_in_bytes";
    static final String USAGE = "memory.usage_in_bytes";
    static final String MEMSW_USAGE = "memory.memsw.usage_in_bytes";
    static final String MAX_USAGE = "memory.max_usage_in_bytes";
    static final String FAILCNT = "memory.failcnt";
    static final String OOM_CONTROL = "memory.oom_control";
    static final String STAT = "memory.stat";

    /** Values this large are the kernel's "unlimited" (PAGE_COUNTER_MAX pages, about 8 EiB). */
    static final long UNLIMITED_FROM = 1L << 62;

    @Override
    public String version() {
        return "v1";
    }

    @Override
    public void check(CgroupFiles cgroup, MemorySettings s) {
        if (s.swapMax() == null) {
            return;
        }
        if (!cgroup.exists(MEMORY, MEMSW_LIMIT) && cgroup.exists(MEMORY, LIMIT)) {
            throw new IllegalArgumentException("a swap limit is not supported here: cgroup v1 limits swap only with"
                    + " swap accounting, and this kernel has none (no " + MEMSW_LIMIT + "; boot with"
                    + " swapaccount=1). --max works without it.");
        }
        if (s.max() == null) {
            throw new IllegalArgumentException("on cgroup v1 a swap limit needs a hard limit as well: v1 limits memory"
                    + " and swap together (" + MEMSW_LIMIT + " = max + swap max); give --max too");
        }
    }

    @Override
    public void apply(CgroupFiles cgroup, MemorySettings s) throws IOException {
        check(cgroup, s);
        boolean memsw = cgroup.exists(MEMORY, MEMSW_LIMIT);
        if (!cgroup.exists(MEMORY, LIMIT)) {
            if (!s.isUnlimited()) {
                throw new IOException("cgroup " + cgroup.path() + " has no " + LIMIT + ": the memory controller is"
                        + " not mounted or the cgroup was not made in its hierarchy (cgroup v1)");
            }
            return;
        }
        if (memsw) {
            cgroup.write(MEMORY, MEMSW_LIMIT, "-1");
        }
        writeLimit(cgroup, LIMIT, s.max());
        cgroup.write(MEMORY, SOFT_LIMIT, s.high() == null ? "-1" : Long.toString(s.high()));
        if (memsw && s.swapMax() != null) {
            long total = s.max() + s.swapMax();
            writeLimit(cgroup, MEMSW_LIMIT, total < 0 ? null : total); // overflow: no limit anyway
        }
    }

    private static void writeLimit(CgroupFiles cgroup, String file, Long bytes) throws IOException {
        try {
            cgroup.write(MEMORY, file, bytes == null ? "-1" : Long.toString(bytes));
        } catch (IOException e) {
            if (Errnos.of(e) == Errno.EBUSY) {
                String use = cgroup.exists(MEMORY, file.equals(LIMIT) ? USAGE : MEMSW_USAGE)
                        ? Sizes.format(number(cgroup.read(MEMORY, file.equals(LIMIT) ? USAGE : MEMSW_USAGE))) : "more";
                throw new IOException("cgroup " + cgroup.path() + ": the kernel could not reclaim the domain's memory"
                        + (file.equals(LIMIT) ? "" : " plus swap") + " below " + Sizes.format(bytes) + " (it uses " + use
                        + "), so it refused the new " + file + " and kept the old one. Enable more swap, let the"
                        + " domain free memory, or give a larger limit.", e);
            }
            throw e;
        }
    }

    @Override
    public MemoryUsage usage(CgroupFiles cgroup) throws IOException {
        long usage = number(cgroup.read(MEMORY, USAGE));
        Map<String, Long> stat = cgroup.exists(MEMORY, STAT) ? KeyedValues.parse(cgroup.read(MEMORY, STAT)) : Map.of();
        Long swap = stat.get("total_swap");
        if (swap == null && cgroup.exists(MEMORY, MEMSW_USAGE)) {
            swap = Math.max(0, number(cgroup.read(MEMORY, MEMSW_USAGE)) - usage);
        }
        Long peak = cgroup.exists(MEMORY, MAX_USAGE) ? number(cgroup.read(MEMORY, MAX_USAGE)) : null;
        long failcnt = cgroup.exists(MEMORY, FAILCNT) ? number(cgroup.read(MEMORY, FAILCNT)) : 0;
        Map<String, Long> oom = cgroup.exists(MEMORY, OOM_CONTROL) ? KeyedValues.parse(cgroup.read(MEMORY, OOM_CONTROL)) : Map.of();
        return new MemoryUsage(usage, swap, peak, stat.get("total_rss"), stat.get("total_cache"),
                stat.get("total_swapcached"), failcnt, null,
                oom.getOrDefault("oom_kill", 0L));
    }

    @Override
    public MemoryKnobs current(CgroupFiles cgroup) throws IOException {
        if (!cgroup.exists(MEMORY, LIMIT)) {
            return new MemoryKnobs(null, null, null, "");
        }
        Long limit = limit(cgroup.read(MEMORY, LIMIT));
        Long soft = limit(cgroup.read(MEMORY, SOFT_LIMIT));
        StringBuilder files = new StringBuilder(LIMIT + "=" + raw(limit) + ", " + SOFT_LIMIT + "=" + raw(soft));
        Long swapMax = null;
        if (cgroup.exists(MEMORY, MEMSW_LIMIT)) {
            Long memsw = limit(cgroup.read(MEMORY, MEMSW_LIMIT));
            files.append(", ").append(MEMSW_LIMIT).append('=').append(raw(memsw));
            if (memsw != null && limit != null) {
                swapMax = Math.max(0, memsw - limit);
            }
        }
        return new MemoryKnobs(limit, soft, swapMax, files.toString());
    }

    @Override
    public boolean canReclaim(CgroupFiles cgroup) {
        return false; // v1 has no memory.reclaim; memory.force_empty works only on empty cgroups
    }

    @Override
    public boolean reclaim(CgroupFiles cgroup, long bytes) {
        throw new UnsupportedOperationException("cgroup v1 cannot be told to reclaim: use process_madvise");
    }

    private static String raw(Long limit) {
        return limit == null ? "unlimited" : limit.toString();
    }

    /** A limit file's value: null when unlimited. */
    static Long limit(String text) {
        long value = number(text);
        return value >= UNLIMITED_FROM || value < 0 ? null : value;
    }

    static long number(String text) {
        return Long.parseLong(text.strip());
    }
}
