package io.hotvirt.api;

import java.time.Duration;
import java.util.List;

/**
 * One live process of a domain, with its children: a node of the domain's process tree.
 *
 * @param pid      process id
 * @param ppid     parent process id
 * @param command  the process's command name ({@code comm})
 * @param state    the kernel's one-letter state (R, S, D, T, Z …)
 * @param rssBytes resident set size
 * @param threads  number of threads
 * @param cpuTime  user plus system CPU time consumed
 * @param children the process's children that are in the same domain
 */
public record ProcessInfo(
        int pid,
        int ppid,
        String command,
        String state,
        long rssBytes,
        int threads,
        Duration cpuTime,
        List<ProcessInfo> children) {
}
