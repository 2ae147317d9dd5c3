package io.hotvirt.core.registry;

import io.hotvirt.api.DomainOrigin;
import io.hotvirt.linux.cgroup.CgroupOrigin;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The persisted state of one domain. Immutable: every change makes a new record, which the registry
 * writes out atomically.
 *
 * @param name           unique name
 * @param origin         launched, adopted or restored
 * @param rootPid        the process the domain is rooted at
 * @param rootStartTicks the root's start time (from /proc/PID/stat), so a reused PID is never taken for it
 * @param command        the root's command line when the domain was made
 * @param createdMillis  when the domain was made, in epoch milliseconds
 * @param cgroup         the domain's cgroup relative to each hierarchy's root
 * @param logFile        where a launched domain's stdout and stderr go, else {@code null}
 * @param exited         whether every process of the domain has ended
 * @param exitStatus     the root's exit status when known, else {@code null}
 * @param homeCgroups    where each adopted process came from, to put it back on release
 * @param defaultHome    where processes without an entry in {@code homeCgroups} go on release
 * @param settings       per capability name, the settings it stored for this domain
 */
public record DomainRecord(
        String name,
        DomainOrigin origin,
        int rootPid,
        long rootStartTicks,
        List<String> command,
        long createdMillis,
        String cgroup,
        String logFile,
        boolean exited,
        Integer exitStatus,
        Map<Integer, CgroupOrigin> homeCgroups,
        CgroupOrigin defaultHome,
        Map<String, Map<String, String>> settings) {

    public DomainRecord {
        command = List.copyOf(command);
        homeCgroups = homeCgroups == null ? Map.of() : Map.copyOf(homeCgroups);
        settings = settings == null ? Map.of() : Map.copyOf(settings);
    }

    public DomainRecord withExit(Integer status) {
        return new DomainRecord(name, origin, rootPid, rootStartTicks, command, createdMillis, cgroup, logFile,
                exited, status, homeCgroups, defaultHome, settings);
    }

    public DomainRecord asExited() {
        return new DomainRecord(name, origin, rootPid, rootStartTicks, command, createdMillis, cgroup, logFile,
                true, exitStatus, homeCgroups, defaultHome, settings);
    }

    public DomainRecord withSettings(String capability, Map<String, String> values) {
        Map<String, Map<String, String>> all = new HashMap<>(settings);
        if (values == null || values.isEmpty()) {
            all.remove(capability);
        } else {
            all.put(capability, Map.copyOf(values));
        }
        return new DomainRecord(name, origin, rootPid, rootStartTicks, command, createdMillis, cgroup, logFile,
                exited, exitStatus, homeCgroups, defaultHome, all);
    }
}
