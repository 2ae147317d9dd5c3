package io.hotvirt.cpu.kernel;

import io.hotvirt.cpu.CpuBandwidth;
import io.hotvirt.cpu.CpuList;
import io.hotvirt.cpu.CpuSettings;
import io.hotvirt.cpu.CpuStat;
import io.hotvirt.cpu.CpuUsage;
import io.hotvirt.cpu.CpuWeight;
import io.hotvirt.linux.cgroup.CgroupFiles;

import java.io.IOException;
import java.util.Map;

/**
 * cgroup v1: bandwidth in the cpu hierarchy (cpu.cfs_period_us, cpu.cfs_quota_us, -1 = unlimited),
 * weight as cpu.shares, pinning in the cpuset hierarchy, CPU time in the cpuacct hierarchy.
 */
public final class CpuControllerV1 implements CpuController {

    static final String QUOTA = "cpu.cfs_quota_us";
    static final String PERIOD = "cpu.cfs_period_us";
    static final String SHARES = "cpu.shares";
    static final String CPUSET_CPUS = "cpuset.cpus";
    static final String USAGE = "cpuacct.usage";

    @Override
    public String version() {
        return "v1";
    }

    @Override
    public void apply(CgroupFiles cgroup, CpuSettings settings) throws IOException {
        applyBandwidth(cgroup, settings.cpus());
        if (cgroup.exists("cpu", SHARES)) {
            cgroup.write("cpu", SHARES, Long.toString(CpuWeight.shares(settings.effectiveWeight())));
        } else if (settings.weight() != null) {
            throw missing(cgroup, "cpu", SHARES);
        }
        applyPin(cgroup, settings.pin());
    }

    private static void applyBandwidth(CgroupFiles cgroup, Double cpus) throws IOException {
        if (!cgroup.exists("cpu", QUOTA)) {
            if (cpus != null) {
                throw missing(cgroup, "cpu", QUOTA);
            }
            return;
        }
        if (Long.parseLong(cgroup.read("cpu", PERIOD).strip()) != CpuBandwidth.PERIOD_US) {
            // lift the quota first: the kernel checks quota against period on each write
            cgroup.write("cpu", QUOTA, "-1");
            cgroup.write("cpu", PERIOD, Long.toString(CpuBandwidth.PERIOD_US));
        }
        cgroup.write("cpu", QUOTA, cpus == null ? "-1" : Long.toString(CpuBandwidth.quotaMicros(cpus)));
    }

    private static void applyPin(CgroupFiles cgroup, CpuList pin) throws IOException {
        if (!cgroup.exists("cpuset", CPUSET_CPUS)) {
            if (pin != null) {
                throw missing(cgroup, "cpuset", CPUSET_CPUS);
            }
            return;
        }
        // Unpinned is every CPU the parent allows (a v1 cpuset cannot be empty while it has tasks).
        // The kernel leaves tasks alone when the value does not change.
        String parent = cgroup.readParent("cpuset", CPUSET_CPUS).strip();
        String target = pin == null ? parent : pin.toString();
        if (target.isEmpty()) {
            return;
        }
        try {
            cgroup.write("cpuset", CPUSET_CPUS, target);
        } catch (IOException e) {
            throw new IOException(e.getMessage() + " (the parent cgroup allows CPUs " + parent + ")", e);
        }
    }

    @Override
    public CpuUsage usage(CgroupFiles cgroup) throws IOException {
        long usage = cgroup.exists("cpuacct", USAGE) ? Long.parseLong(cgroup.read("cpuacct", USAGE).strip()) : 0;
        Map<String, Long> stat = cgroup.exists("cpu", "cpu.stat") ? CpuStat.parse(cgroup.read("cpu", "cpu.stat"))
                : Map.of();
        return new CpuUsage(usage, stat.getOrDefault("nr_periods", 0L), stat.getOrDefault("nr_throttled", 0L),
                stat.getOrDefault("throttled_time", 0L));
    }

    @Override
    public CpuKnobs current(CgroupFiles cgroup) throws IOException {
        StringBuilder files = new StringBuilder();
        Double cpus = null;
        if (cgroup.exists("cpu", QUOTA)) {
            long quota = Long.parseLong(cgroup.read("cpu", QUOTA).strip());
            long period = Long.parseLong(cgroup.read("cpu", PERIOD).strip());
            cpus = quota < 0 ? null : CpuBandwidth.cpus(quota, period);
            files.append(QUOTA).append('=').append(quota).append(", ").append(PERIOD).append('=').append(period);
        }
        int weight = CpuWeight.DEFAULT;
        if (cgroup.exists("cpu", SHARES)) {
            long shares = Long.parseLong(cgroup.read("cpu", SHARES).strip());
            weight = CpuWeight.fromShares(shares);
            append(files, SHARES + "=" + shares);
        }
        CpuList pin = null;
        if (cgroup.exists("cpuset", CPUSET_CPUS)) {
            pin = CpuList.parse(cgroup.read("cpuset", CPUSET_CPUS));
            append(files, CPUSET_CPUS + "=" + pin);
        }
        return new CpuKnobs(cpus, weight, pin, files.toString());
    }

    static void append(StringBuilder files, String item) {
        if (files.length() > 0) {
            files.append(", ");
        }
        files.append(item);
    }

    private static IOException missing(CgroupFiles cgroup, String controller, String file) {
        return new IOException("cgroup " + cgroup.path() + " has no " + file + ": the " + controller
                + " controller is not mounted or the cgroup was not made in its hierarchy (cgroup v1)");
    }
}
