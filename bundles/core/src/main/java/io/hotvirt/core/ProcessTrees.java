package io.hotvirt.core;

import io.hotvirt.api.ProcessInfo;
import io.hotvirt.linux.proc.ProcStat;
import io.hotvirt.linux.proc.Procfs;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/** Builds the process tree of a set of PIDs from /proc. */
final class ProcessTrees {

    private ProcessTrees() {
    }

    /** The processes of {@code pids} whose parent is not among them, each with its children. */
    static List<ProcessInfo> build(Collection<Integer> pids) {
        Map<Integer, ProcStat> stats = new TreeMap<>();
        for (int pid : pids) {
            Procfs.stat(pid).ifPresent(s -> stats.put(pid, s));
        }
        List<ProcessInfo> roots = new ArrayList<>();
        for (ProcStat stat : stats.values()) {
            if (!stats.containsKey(stat.ppid())) {
                roots.add(node(stat, stats));
            }
        }
        return roots;
    }

    private static ProcessInfo node(ProcStat stat, Map<Integer, ProcStat> stats) {
        List<ProcessInfo> children = stats.values().stream()
                .filter(s -> s.ppid() == stat.pid())
                .sorted(Comparator.comparingInt(ProcStat::pid))
                .map(s -> node(s, stats))
                .toList();
        long ticks = stat.utimeTicks() + stat.stimeTicks();
        Duration cpu = Duration.ofNanos(ticks * 1_000_000_000L / Procfs.ticksPerSecond());
        return new ProcessInfo(stat.pid(), stat.ppid(), stat.comm(), String.valueOf(stat.state()),
                stat.rssPages() * Procfs.pageSize(), stat.numThreads(), cpu, children);
    }
}
