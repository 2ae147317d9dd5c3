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
 * cgroup v2: bandwidth as cpu.max ({@code QUOTA PERIOD} or {@code max PERIOD}), cpu.weight, pinning
 * as cpuset.cpus (empty = inherit the parent's), accounting in cpu.stat. All in one directory.
 */
public final class CpuControllerV2 implements CpuController {

    static final String MAX = "cpu.max";
    static final String WEIGHT = "cpu.weight";
    static final String CPUSET_CPUS = "cpuset.cpus";
    static final String STAT = "cpu.stat";

    @Override
    public String version() {
        return "v2";
    }

    @Override
    public void apply(CgroupFiles cgroup, CpuSettings settings) throws IOException {
        if (cgroup.exists("cpu", MAX)) {
            String quota = settings.cpus() == null ? "max" : Long.toString(CpuBandwidth.quotaMicros(settings.cpus()));
            cgroup.write("cpu", MAX, quota + " " + CpuBandwidth.PERIOD_US);
        } else if (settings.cpus() != null) {
            throw missing(cgroup, "cpu", MAX);
        }
        if (cgroup.exists("cpu", WEIGHT)) {
            cgroup.write("cpu", WEIGHT, Integer.toString(settings.effectiveWeight()));
        } else if (settings.weight() != null) {
            throw missing(cgroup, "cpu", WEIGHT);
        }
        if (cgroup.exists("cpuset", CPUSET_CPUS)) {
            // empty: the cgroup has no CPU list of its own and uses its parent's, as when it was made
            cgroup.write("cpuset", CPUSET_CPUS, settings.pin() == null ? "" : settings.pin().toString());
        } else if (settings.pin() != null) {
            throw missing(cgroup, "cpuset", CPUSET_CPUS);
        }
    }

    @Override
    public CpuUsage usage(CgroupFiles cgroup) throws IOException {
        Map<String, Long> stat = CpuStat.parse(cgroup.read("cpu", STAT));
        return new CpuUsage(stat.getOrDefault("usage_usec", 0L) * 1000, stat.getOrDefault("nr_periods", 0L),
                stat.getOrDefault("nr_throttled", 0L), stat.getOrDefault("throttled_usec", 0L) * 1000);
    }

    @Override
    public CpuKnobs current(CgroupFiles cgroup) throws IOException {
        StringBuilder files = new StringBuilder();
        Double cpus = null;
        if (cgroup.exists("cpu", MAX)) {
            String max = cgroup.read("cpu", MAX).strip();
            String[] parts = max.split("\\s+");
            if (parts.length == 2 && !parts[0].equals("max")) {
                cpus = CpuBandwidth.cpus(Long.parseLong(parts[0]), Long.parseLong(parts[1]));
            }
            files.append(MAX).append('=').append(max);
        }
        int weight = CpuWeight.DEFAULT;
        if (cgroup.exists("cpu", WEIGHT)) {
            weight = Integer.parseInt(cgroup.read("cpu", WEIGHT).strip());
            CpuControllerV1.append(files, WEIGHT + "=" + weight);
        }
        CpuList pin = null;
        if (cgroup.exists("cpuset", CPUSET_CPUS)) {
            CpuList own = CpuList.parse(cgroup.read("cpuset", CPUSET_CPUS));
            pin = own.isEmpty() ? null : own;
            CpuControllerV1.append(files, CPUSET_CPUS + "=" + (own.isEmpty() ? "(inherited)" : own.toString()));
        }
        return new CpuKnobs(cpus, weight, pin, files.toString());
    }

    private static IOException missing(CgroupFiles cgroup, String controller, String file) {
        return new IOException("cgroup " + cgroup.path() + " has no " + file + ": the " + controller
                + " controller is not enabled for it (add +" + controller
                + " to its parent's cgroup.subtree_control)");
    }
}
