package io.hotvirt.api;

import java.io.IOException;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Makes, lists and ends process domains. Bad input (an unknown name, a name in use, a dead PID)
 * raises {@link IllegalArgumentException}; a kernel refusal (missing privilege, no cgroup support)
 * raises {@link IOException}. Messages name the problem and the fix.
 */
public interface DomainService {

    /**
     * Starts {@code command} as the root of a new domain in its own cgroup, as hotvirt's own user
     * (the user Karaf runs as: root).
     */
    default DomainInfo launch(String name, List<String> command) throws IOException {
        return launch(name, command, null);
    }

    /**
     * Starts {@code command} as the root of a new domain in its own cgroup, as {@code user}:
     * {@code USER[:GROUP]} (names or numbers) gives the uid, the gid (the user's own unless GROUP is
     * named) and the user's supplementary groups; null runs it as hotvirt's own user (root).
     */
    DomainInfo launch(String name, List<String> command, String user) throws IOException;

    /** Takes a running process and all its descendants into a new domain. */
    DomainInfo adopt(String name, int pid) throws IOException;

    /**
     * Takes a process tree restored from a checkpoint image into a new domain, as {@link #adopt} does
     * but with origin {@link DomainOrigin#RESTORED} and {@code settings} (capability name → its
     * settings, as {@link DomainInfo#settings()} gave them at checkpoint time) stored before any
     * capability virtualizes the domain, so the saved limits are in force from the start. A restore
     * places the tree before it restores its memory (so that the memory is the domain's, charged to
     * its cgroup), when the processes do not show their command lines yet: {@code command} is the
     * root's, as the image saved it (null: read it from /proc).
     */
    DomainInfo restored(String name, int pid, List<String> command, Map<String, Map<String, String>> settings)
            throws IOException;

    /**
     * Gives a domain back to the host: every capability lets go, the processes move back to the cgroups
     * they came from and run on. Returns how many processes moved.
     */
    int release(String name) throws IOException;

    /** Sends {@code signal} to every process of a domain; returns how many were signalled. */
    int kill(String name, int signal) throws IOException;

    /** Forgets an exited domain. */
    void remove(String name) throws IOException;

    List<DomainInfo> list();

    Optional<DomainInfo> find(String name);

    /** The live process tree of a domain: its root processes with their children. */
    List<ProcessInfo> processTree(String name);

    /** The live handle a capability works with. */
    Optional<Domain> domain(String name);
}
