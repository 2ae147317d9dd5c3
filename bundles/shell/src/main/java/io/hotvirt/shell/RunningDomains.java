package io.hotvirt.shell;

import io.hotvirt.api.Domain;
import io.hotvirt.api.DomainInfo;
import io.hotvirt.api.DomainService;
import io.hotvirt.api.DomainState;

import java.util.List;

/** Looks up a running domain by name for a command, with errors a person can act on. */
public final class RunningDomains {

    private RunningDomains() {
    }

    /**
     * @param exited what the error says after "domain NAME has exited: " when the domain is not
     *               running, e.g. "it has no CPU use to set or show"
     */
    public static DomainInfo info(DomainService domains, String name, String exited) {
        DomainInfo info = domains.find(name).orElseThrow(() -> unknown(name));
        if (info.state() != DomainState.RUNNING) {
            throw new IllegalArgumentException("domain " + name + " has exited: " + exited);
        }
        return info;
    }

    /** {@link #info} and then the domain itself. */
    public static Domain domain(DomainService domains, String name, String exited) {
        info(domains, name, exited);
        return domains.domain(name).orElseThrow(() -> unknown(name));
    }

    /** The names of the running domains, in the service's order. */
    public static List<String> names(DomainService domains) {
        return domains.list().stream().filter(d -> d.state() == DomainState.RUNNING).map(DomainInfo::name).toList();
    }

    /** The error for a name hotvirt does not know. */
    public static IllegalArgumentException unknown(String name) {
        return new IllegalArgumentException("no domain named '" + name + "' (domain:list shows the domains)");
    }
}
