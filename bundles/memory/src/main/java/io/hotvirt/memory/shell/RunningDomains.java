package io.hotvirt.memory.shell;

import io.hotvirt.api.Domain;
import io.hotvirt.api.DomainInfo;
import io.hotvirt.api.DomainService;
import io.hotvirt.api.DomainState;

/** Looks up a running domain by name for a command, with errors a person can act on. */
final class RunningDomains {

    private RunningDomains() {
    }

    static DomainInfo info(DomainService domains, String name) {
        DomainInfo info = domains.find(name).orElseThrow(() -> new IllegalArgumentException(
                "no domain named '" + name + "' (domain:list shows the domains)"));
        if (info.state() != DomainState.RUNNING) {
            throw new IllegalArgumentException("domain " + name + " has exited: it has no memory to limit, map or"
                    + " reclaim");
        }
        return info;
    }

    static Domain domain(DomainService domains, String name) {
        info(domains, name);
        return domains.domain(name).orElseThrow(() -> new IllegalArgumentException(
                "no domain named '" + name + "' (domain:list shows the domains)"));
    }
}
