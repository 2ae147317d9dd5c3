package io.hotvirt.api;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * What the registry knows of one domain.
 *
 * @param name         unique name of the domain
 * @param origin       launched, adopted or restored
 * @param rootPid      the process the domain is rooted at
 * @param command      the command line of the root process when the domain was made
 * @param created      when the domain was made
 * @param state        running or exited
 * @param exitStatus   the root process's exit status when known (a shell-style code: 128+signal
 *                     for a killed process), else {@code null}
 * @param cgroup       the domain's cgroup, relative to each hierarchy's root (e.g. {@code hotvirt/w1})
 * @param log          where a launched domain's stdout and stderr go, else {@code null}
 * @param processCount the number of live processes in the domain
 * @param capabilities the capabilities that currently hold the domain
 * @param settings     per capability name, the settings stored for the domain (what a checkpoint saves)
 */
public record DomainInfo(
        String name,
        DomainOrigin origin,
        int rootPid,
        List<String> command,
        Instant created,
        DomainState state,
        Integer exitStatus,
        String cgroup,
        String log,
        int processCount,
        List<String> capabilities,
        Map<String, Map<String, String>> settings) {

    public DomainInfo {
        settings = settings == null ? Map.of() : settings.entrySet().stream()
                .collect(Collectors.toUnmodifiableMap(Map.Entry::getKey, e -> Map.copyOf(e.getValue())));
    }
}
