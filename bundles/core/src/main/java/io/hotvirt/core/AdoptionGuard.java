package io.hotvirt.core;

import io.hotvirt.linux.proc.CgroupEntry;
import io.hotvirt.linux.proc.ProcStat;
import io.hotvirt.linux.proc.Procfs;

import java.util.Optional;
import java.util.function.Function;

/** What must never be adopted: unknown PIDs, the kernel, init, this container, members of other domains. */
final class AdoptionGuard {

    private AdoptionGuard() {
    }

    /**
     * @param name   the domain the process is to become; a process left in that name's cgroup by a lost
     *               domain may be taken back under it
     * @param rootOf the root PID of a domain by name, to tell a domain's root from its members
     * @return the process's stat when it may be adopted
     * @throws IllegalArgumentException naming why it may not
     */
    static ProcStat check(int pid, String name, String cgroupRoot, Function<String, Optional<Integer>> rootOf) {
        ProcStat stat = Procfs.stat(pid).filter(s -> s.state() != 'Z')
                .orElseThrow(() -> new IllegalArgumentException("no process with PID " + pid));
        if (pid == 1 || pid == 2 || stat.ppid() == 2) {
            throw new IllegalArgumentException("PID " + pid + " is " + (pid == 1 ? "init" : "a kernel thread")
                    + " and cannot be adopted");
        }
        // adopting the container (or a shell it runs under) would put hotvirt inside its own domain
        for (long p = ProcessHandle.current().pid(); p > 1; p = Procfs.stat((int) p).map(ProcStat::ppid).orElse(0)) {
            if (p == pid) {
                throw new IllegalArgumentException("PID " + pid + " is this Karaf container or one of its"
                        + " ancestors and cannot be adopted");
            }
        }
        String prefix = "/" + cgroupRoot + "/";
        for (CgroupEntry entry : Procfs.cgroups(pid)) {
            if (entry.path().startsWith(prefix)) {
                String owner = entry.path().substring(prefix.length()).split("/")[0];
                Optional<Integer> ownerRoot = rootOf.apply(owner);
                if (ownerRoot.isEmpty()) {
                    if (owner.equals(name)) {
                        continue; // the leftovers of a lost domain, taken back under its name
                    }
                    throw new IllegalArgumentException("PID " + pid + " is in cgroup " + entry.path() + ", left by a"
                            + " domain '" + owner + "' that hotvirt no longer knows: domain:adopt " + owner + " " + pid
                            + " takes it back under that name");
                }
                boolean root = ownerRoot.map(r -> r == pid).orElse(false);
                throw new IllegalArgumentException("PID " + pid + " is already in domain " + owner
                        + (root ? "" : " (as a member)"));
            }
        }
        return stat;
    }
}
