package io.hotvirt.cpu.shell;

import io.hotvirt.api.Domain;
import io.hotvirt.api.DomainInfo;
import io.hotvirt.api.DomainService;
import io.hotvirt.api.DomainState;
import io.hotvirt.cpu.CpuControl;
import io.hotvirt.cpu.CpuList;
import io.hotvirt.cpu.CpuSettings;
import io.hotvirt.cpu.CpuUsage;
import io.hotvirt.shell.Units;
import org.apache.karaf.shell.api.action.Action;
import org.apache.karaf.shell.api.action.Command;
import org.apache.karaf.shell.api.action.Option;
import org.apache.karaf.shell.api.action.lifecycle.Reference;
import org.apache.karaf.shell.api.action.lifecycle.Service;
import org.apache.karaf.shell.support.table.ShellTable;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

@Command(scope = "cpu", name = "top", description = "Shows every running domain's CPU use over an interval.",
        detailedDescription = "Measures each running domain's CPU time from its cgroup's accounting over the interval"
                + " (default 1 s) and prints one table, busiest first. CPU % is of one CPU: 200% is two CPUs busy."
                + " Throttled counts the 100 ms periods in the interval in which the domain used up its --cpus"
                + " limit and was held back, and for how long.")
@Service
public class TopCommand implements Action {

    static final double MIN_INTERVAL = 0.1;
    static final double MAX_INTERVAL = 3600;

    @Reference
    private DomainService domains;

    @Reference
    private CpuControl cpu;

    @Option(name = "--interval", aliases = "-i", description = "Seconds to measure over, 0.1..3600 (default 1)")
    private String interval = "1";

    @Option(name = "--no-format", description = "Plain output, for scripts")
    private boolean noFormat;

    private record Sample(Domain domain, CpuSettings settings, CpuUsage usage, long at) {
    }

    private record Row(String name, CpuSettings settings, CpuUsage total, CpuUsage delta, double percent) {
    }

    @Override
    public Object execute() throws Exception {
        double seconds = seconds(interval);
        Map<String, Sample> first = sample();
        Thread.sleep(Math.round(seconds * 1000));
        List<Row> rows = new ArrayList<>();
        for (Map.Entry<String, Sample> e : sample().entrySet()) {
            Sample before = first.get(e.getKey());
            if (before == null) {
                continue; // made during the interval: no baseline
            }
            Sample after = e.getValue();
            CpuUsage delta = after.usage().since(before.usage());
            rows.add(new Row(e.getKey(), after.settings(), after.usage(), delta,
                    delta.percentOfOneCpu(after.at() - before.at())));
        }
        rows.sort(Comparator.comparingDouble(Row::percent).reversed().thenComparing(Row::name));

        ShellTable table = new ShellTable();
        table.column("Domain");
        table.column("CPU %").alignRight();
        table.column("Limit").alignRight();
        table.column("Weight").alignRight();
        table.column("Pin");
        table.column("Throttled").alignRight();
        table.column("Thr. time").alignRight();
        table.column("CPU time").alignRight();
        for (Row r : rows) {
            table.addRow().addContent(r.name(), CpuFormat.percent(r.percent()), CpuFormat.cpus(r.settings().cpus()),
                    CpuFormat.weight(r.settings()), CpuFormat.pin(r.settings().pin()),
                    r.delta().throttledPeriods() + "/" + r.delta().periods(), Units.nanos(r.delta().throttledNanos()),
                    Units.nanos(r.total().usageNanos()));
        }
        table.emptyTableText("No running domains: domain:launch or domain:adopt makes one");
        if (!noFormat) {
            CpuList online = cpu.onlineCpus();
            System.out.println(String.format(Locale.ROOT, "CPU use over %s s (100%% = one CPU; %d CPUs online: %s;"
                    + " cgroup %s)", trim(seconds), online.count(), online, cpu.cgroupVersion()));
        }
        table.print(System.out, !noFormat);
        return null;
    }

    private Map<String, Sample> sample() {
        Map<String, Sample> samples = new LinkedHashMap<>();
        for (DomainInfo info : domains.list()) {
            if (info.state() != DomainState.RUNNING) {
                continue;
            }
            try {
                Domain domain = domains.domain(info.name()).orElse(null);
                if (domain == null) {
                    continue;
                }
                CpuSettings settings;
                try {
                    settings = cpu.settings(domain);
                } catch (IllegalArgumentException unreadable) {
                    settings = CpuSettings.NONE;
                }
                CpuUsage usage = cpu.usage(domain);
                samples.put(info.name(), new Sample(domain, settings, usage, System.nanoTime()));
            } catch (Exception e) {
                // exited between list and read: left out
            }
        }
        return samples;
    }

    static double seconds(String text) {
        double seconds;
        try {
            seconds = Double.parseDouble(text.strip());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("--interval '" + text + "' is not a number of seconds");
        }
        if (!(seconds >= MIN_INTERVAL && seconds <= MAX_INTERVAL)) {
            throw new IllegalArgumentException("--interval " + text + " is out of range: give " + trim(MIN_INTERVAL)
                    + ".." + trim(MAX_INTERVAL) + " seconds");
        }
        return seconds;
    }

    private static String trim(double d) {
        return java.math.BigDecimal.valueOf(d).stripTrailingZeros().toPlainString();
    }
}
