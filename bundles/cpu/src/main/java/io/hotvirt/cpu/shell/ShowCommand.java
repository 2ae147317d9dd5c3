package io.hotvirt.cpu.shell;

import io.hotvirt.api.Domain;
import io.hotvirt.api.DomainInfo;
import io.hotvirt.cpu.CpuBandwidth;
import io.hotvirt.cpu.CpuCapability;
import io.hotvirt.cpu.CpuSettings;
import io.hotvirt.cpu.CpuUsage;
import io.hotvirt.cpu.CpuWeight;
import io.hotvirt.cpu.kernel.CpuKnobs;
import io.hotvirt.shell.Units;
import org.apache.karaf.shell.api.action.Command;
import org.apache.karaf.shell.api.action.lifecycle.Service;

@Command(scope = "cpu", name = "show", description = "Shows a domain's CPU settings, what the kernel holds it to,"
        + " and its CPU use since it was made.")
@Service
public class ShowCommand extends CpuCommand {

    @Override
    protected Object act() throws Exception {
        DomainInfo info = runningInfo();
        Domain domain = runningDomain();
        line("Domain", name);
        line("Cgroup", info.cgroup() + " (cgroup " + cpu.cgroupVersion() + ")");
        boolean held = info.capabilities().contains(CpuCapability.NAME);
        CpuSettings settings = null;
        try {
            settings = cpu.settings(domain);
        } catch (IllegalArgumentException e) {
            line("Settings", "unreadable: " + e.getMessage());
        }
        if (settings != null) {
            line("CPUs", settings.cpus() == null ? "unlimited"
                    : CpuBandwidth.format(settings.cpus()) + " (" + CpuBandwidth.quotaMicros(settings.cpus())
                    + " us of CPU time per " + CpuBandwidth.PERIOD_US + " us period)");
            line("Weight", settings.weight() == null ? CpuWeight.DEFAULT + " (default)" : settings.weight().toString());
            line("Pinned to", settings.pin() == null ? "all CPUs (online: " + cpu.onlineCpus() + ")"
                    : (settings.pin().count() == 1 ? "CPU " : "CPUs ") + settings.pin());
        }
        line("Capability", held ? "cpu holds the domain: the settings are in force"
                : "cpu does not hold the domain: the settings are stored, not in force");
        CpuKnobs knobs = cpu.current(domain);
        line("Kernel", knobs.files().isEmpty() ? "no cpu controller files" : knobs.files());
        CpuUsage usage = cpu.usage(domain);
        line("CPU time", Units.nanos(usage.usageNanos()));
        line("Throttled", usage.throttledPeriods() + " of " + usage.periods() + " periods ("
                + CpuFormat.percent(usage.throttledPercent()) + "), " + Units.nanos(usage.throttledNanos()));
        return null;
    }

    private static void line(String key, String value) {
        System.out.printf("%-11s: %s%n", key, value);
    }
}
