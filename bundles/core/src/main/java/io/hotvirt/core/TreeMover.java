package io.hotvirt.core;

import io.hotvirt.linux.cgroup.CgroupOrigin;
import io.hotvirt.linux.cgroup.Cgroups;
import io.hotvirt.linux.cgroup.DomainCgroup;
import io.hotvirt.linux.proc.Procfs;

import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * Moves running process trees into a domain's cgroup and back out. Processes may fork while this
 * runs: a child forked after its parent moved follows its parent, one forked before is found by the
 * next scan, so scanning until a scan finds nothing new catches every one.
 */
final class TreeMover {

    private static final int MAX_SCANS = 100;

    private final Cgroups cgroups;

    TreeMover(Cgroups cgroups) {
        this.cgroups = cgroups;
    }

    /**
     * Moves the tree at {@code rootPid} into {@code target}; returns each moved PID's former cgroups.
     * On failure every process is back where it was.
     */
    Map<Integer, CgroupOrigin> adopt(int rootPid, DomainCgroup target, CgroupOrigin rootHome) throws IOException {
        Map<Integer, CgroupOrigin> moved = new LinkedHashMap<>();
        try {
            for (int scan = 0; scan < MAX_SCANS; scan++) {
                Set<Integer> tree = new TreeSet<>(Procfs.descendants(rootPid));
                tree.add(rootPid);
                tree.removeAll(moved.keySet());
                if (tree.isEmpty()) {
                    return moved;
                }
                for (int pid : tree) {
                    if (!living(pid)) {
                        continue; // exited between the scan and the move
                    }
                    CgroupOrigin origin = pid == rootPid ? rootHome : cgroups.originOf(pid);
                    if (inside(origin, target.path())) {
                        origin = rootHome; // a leftover of a lost domain being taken back: it has no other home
                    }
                    target.add(pid);
                    moved.put(pid, origin);
                }
            }
            throw new IOException("process " + rootPid + " keeps forking new processes faster than they can be"
                    + " adopted; try again when it is quieter");
        } catch (IOException | RuntimeException e) {
            try {
                sendHome(target, moved, rootHome);
            } catch (IOException undo) {
                e.addSuppressed(undo);
            }
            throw e;
        }
    }

    /**
     * Moves every process out of {@code source} to the cgroups it came from ({@code homes}), or to
     * {@code fallback} for a process born inside the domain. Returns how many processes moved.
     */
    int sendHome(DomainCgroup source, Map<Integer, CgroupOrigin> homes, CgroupOrigin fallback) throws IOException {
        int count = 0;
        for (int scan = 0; scan < MAX_SCANS; scan++) {
            Set<Integer> pids = new TreeSet<>(source.pids());
            pids.removeIf(pid -> !living(pid));
            if (pids.isEmpty()) {
                return count;
            }
            for (int pid : pids) {
                try {
                    cgroups.restore(pid, homes.getOrDefault(pid, fallback));
                    count++;
                } catch (IOException e) {
                    if (living(pid)) {
                        throw e;
                    } // else it exited meanwhile
                }
            }
        }
        throw new IOException("processes in cgroup " + source.path() + " keep forking faster than they can be"
                + " moved out; try again when they are quieter");
    }

    /** Whether {@code origin} places the process in {@code cgroup} (e.g. "hotvirt/w1") or below it. */
    static boolean inside(CgroupOrigin origin, String cgroup) {
        String path = "/" + cgroup;
        return origin.pathByHierarchy().values().stream().anyMatch(p -> p.equals(path) || p.startsWith(path + "/"));
    }

        /** Alive and not a zombie: a zombie cannot be moved and may linger in cgroup.procs until reaped. */
    static boolean living(int pid) {
        return Procfs.stat(pid).map(s -> s.state() != 'Z' && s.state() != 'X').orElse(false);
    }
}
