package io.hotvirt.memory.shell;

import io.hotvirt.api.Domain;
import io.hotvirt.api.DomainInfo;
import io.hotvirt.memory.HostMemory;
import io.hotvirt.memory.MemoryCapability;
import io.hotvirt.memory.MemorySettings;
import io.hotvirt.memory.MemoryUsage;
import io.hotvirt.memory.Sizes;
import io.hotvirt.memory.kernel.MemoryKnobs;
import org.apache.karaf.shell.api.action.Command;
import org.apache.karaf.shell.api.action.lifecycle.Service;

@Command(scope = "memory", name = "show", description = "Shows a domain's memory limits, what the kernel holds it to,"
        + " and its memory use, swap use and OOM events.",
        detailedDescription = "Settings are what is stored with the domain; Kernel is what its cgroup's files say now"
                + " (they differ while the memory bundle is stopped). In use counts what the cgroup is charged for"
                + " (on both cgroup versions, memory a process had before it was adopted stays charged to its old"
                + " cgroup); memory:map counts the pages themselves.")
@Service
public class ShowCommand extends MemoryCommand {

    @Override
    protected Object act() throws Exception {
        DomainInfo info = runningInfo();
        Domain domain = runningDomain();
        boolean v1 = memory.cgroupVersion().equals("v1");
        line("Domain", name);
        line("Cgroup", info.cgroup() + " (cgroup " + memory.cgroupVersion() + ")");
        MemorySettings settings = null;
        try {
            settings = memory.settings(domain);
        } catch (IllegalArgumentException e) {
            line("Settings", "unreadable: " + e.getMessage());
        }
        if (settings != null) {
            line("Max", limit(settings.max()));
            line("High", limit(settings.high()) + (v1 && settings.high() != null ? " (v1 soft limit)" : ""));
            line("Swap max", settings.swapMax() != null && settings.swapMax() == 0 ? "0 (no swap)"
                    : limit(settings.swapMax()));
        }
        boolean held = info.capabilities().contains(MemoryCapability.NAME);
        line("Capability", held ? "memory holds the domain: the limits are in force"
                : "memory does not hold the domain: the limits are stored, not in force");
        MemoryKnobs knobs = memory.current(domain);
        line("Kernel", knobs.files().isEmpty() ? "no memory controller files" : knobs.files());
        MemoryUsage usage = memory.usage(domain);
        String split = usage.anon() == null ? "" : ": anon " + Sizes.format(usage.anon()) + ", file "
                + Sizes.format(usage.file() == null ? 0 : usage.file())
                + (usage.swapCached() == null || usage.swapCached() == 0 ? ""
                : ", swap cache " + Sizes.format(usage.swapCached()));
        line("In use", Sizes.format(usage.current()) + (usage.peak() == null ? "" : " (peak "
                + Sizes.format(usage.peak()) + ")") + split);
        HostMemory host = memory.host();
        line("Swap", (usage.swap() == null ? "not accounted (no swap accounting in this kernel)"
                : Sizes.format(usage.swap())) + " (host: " + host.describeSwap() + ")");
        line("Limit hits", usage.limitHits() + (v1 ? " (memory.failcnt)" : " (memory.events max)"));
        line("OOM", (usage.oom() == null ? "" : usage.oom() + " out-of-memory events, ") + usage.oomKills()
                + " processes OOM-killed");
        return null;
    }

    private static String limit(Long bytes) {
        return bytes == null ? "unlimited" : Sizes.format(bytes) + " (" + bytes + " bytes)";
    }

    private static void line(String key, String value) {
        System.out.printf("%-11s: %s%n", key, value);
    }
}
