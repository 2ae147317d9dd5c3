package io.hotvirt.memory;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * Says what happens when a limit is set below what the domain uses now. Pure: the settings, the use
 * and the host in, one warning per limit out. Only limits that change are judged, so a domain
 * sitting at its limit can still have its other settings changed.
 */
public final class LimitWarnings {

    private LimitWarnings() {
    }

    /**
     * @param version   {@code v1} or {@code v2}
     * @param before    the settings in force now
     * @param next      the settings asked for
     * @param usage     the domain's use now
     * @param host      the host's swap
     * @return one sentence per limit below the current use; empty if none is
     */
    public static List<String> check(String version, MemorySettings before, MemorySettings next, MemoryUsage usage,
                                     HostMemory host) {
        boolean v1 = version.equals("v1");
        List<String> out = new ArrayList<>();
        String swap = host.swapTotal() == 0 ? "no swap is enabled on this host, so anonymous memory cannot go anywhere"
                : "the host has " + Sizes.format(host.swapFree()) + " of swap free";
        Long max = next.max();
        if (max != null && !Objects.equals(max, before.max()) && usage.current() > max) {
            out.add("--max " + Sizes.format(max) + " is below the " + Sizes.format(usage.current())
                    + " the domain uses now: the kernel reclaims at once, dropping page cache and swapping anonymous"
                    + " memory out (" + swap + ")" + (v1
                    ? "; if it cannot get below the limit it refuses it and nothing changes, and from then on any"
                    + " allocation it cannot reclaim for gets a process of the domain OOM-killed"
                    : "; whatever it cannot reclaim, it frees by OOM-killing processes of the domain"));
        }
        Long high = next.high();
        if (high != null && !Objects.equals(high, before.high()) && usage.current() > high) {
            out.add("--high " + Sizes.format(high) + " is below the " + Sizes.format(usage.current())
                    + " the domain uses now: " + (v1
                    ? "as a cgroup v1 soft limit, the domain is reclaimed first, down to it, whenever the host runs"
                    + " short of memory (nothing happens at once, and nothing is killed)"
                    : "the kernel throttles the domain's allocations and reclaims until it is below (" + swap
                    + "): the domain slows down, but nothing is killed"));
        }
        Long swapMax = next.swapMax();
        if (swapMax != null && usage.swap() != null
                && (!Objects.equals(swapMax, before.swapMax()) || (v1 && !Objects.equals(max, before.max())))) {
            if (v1 && max != null && usage.current() + usage.swap() > max + swapMax) {
                out.add("--max " + Sizes.format(max) + " plus --swap-max " + Sizes.format(swapMax) + " is below the "
                        + Sizes.format(usage.current() + usage.swap()) + " of memory and swap the domain uses now:"
                        + " the kernel must reclaim memory and swap below it, which it can only do by dropping page"
                        + " cache; if it cannot it refuses the limit and nothing changes");
            } else if (!v1 && usage.swap() > swapMax) {
                out.add("--swap-max " + Sizes.format(swapMax) + " is below the " + Sizes.format(usage.swap())
                        + " of swap the domain uses now: what is in swap stays there, but nothing more goes to swap,"
                        + " so under --max the kernel OOM-kills processes of the domain sooner");
            }
        }
        return out;
    }
}
