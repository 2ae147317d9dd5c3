package io.hotvirt.linux.proc;

import java.nio.file.Files;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Finds a process's descendants. {@code /proc/PID/task/TID/children} needs CONFIG_PROC_CHILDREN,
 * which some kernels (this CI's among them) lack; then the parent links of every process in /proc
 * are read instead. Both give a snapshot: a caller racing a forking tree scans again.
 */
final class ProcessTree {

    private static final boolean CHILDREN_FILES = Files.exists(
            ProcFiles.of(Math.toIntExact(ProcessHandle.current().pid()), "task",
                    Long.toString(ProcessHandle.current().pid()), "children"));

    private ProcessTree() {
    }

    static boolean childrenFilesAvailable() {
        return CHILDREN_FILES;
    }

    /** Live (non-zombie) descendants of {@code pid}, excluding it, parents before children. */
    static Set<Integer> descendants(int pid) {
        Map<Integer, List<Integer>> byParent = CHILDREN_FILES ? null : childrenByParent();
        Set<Integer> found = new LinkedHashSet<>();
        Deque<Integer> todo = new ArrayDeque<>();
        todo.add(pid);
        while (!todo.isEmpty()) {
            int parent = todo.poll();
            List<Integer> kids = CHILDREN_FILES ? childrenFromFiles(parent) : byParent.getOrDefault(parent, List.of());
            for (int kid : kids) {
                if (kid != pid && found.add(kid)) {
                    todo.add(kid);
                }
            }
        }
        found.removeIf(p -> Procfs.stat(p).map(ProcStat::dead).orElse(true));
        return found;
    }

    /** Live direct children. */
    static Set<Integer> children(int pid) {
        List<Integer> kids = CHILDREN_FILES ? childrenFromFiles(pid) : childrenByParent().getOrDefault(pid, List.of());
        Set<Integer> out = new LinkedHashSet<>();
        for (int kid : kids) {
            if (Procfs.stat(kid).map(s -> !s.dead()).orElse(false)) {
                out.add(kid);
            }
        }
        return out;
    }

    private static List<Integer> childrenFromFiles(int pid) {
        List<Integer> out = new ArrayList<>();
        for (int tid : ProcFiles.numbers(ProcFiles.of(pid, "task"))) {
            Optional<String> text = ProcFiles.text(ProcFiles.of(pid, "task", Integer.toString(tid), "children"));
            for (String s : text.orElse("").trim().split("\\s+")) {
                if (!s.isEmpty()) {
                    out.add(Integer.parseInt(s));
                }
            }
        }
        return out;
    }

    private static Map<Integer, List<Integer>> childrenByParent() {
        Map<Integer, List<Integer>> byParent = new HashMap<>();
        for (int p : Procfs.pids()) {
            Procfs.stat(p).ifPresent(s -> byParent.computeIfAbsent(s.ppid(), k -> new ArrayList<>()).add(p));
        }
        return byParent;
    }
}
