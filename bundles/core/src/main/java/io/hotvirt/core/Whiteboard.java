package io.hotvirt.core;

import io.hotvirt.api.Capability;
import io.hotvirt.api.Domain;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The capabilities present and which domains each one holds. A capability that fails on a domain is
 * logged and does not hold it; the domain goes on running without it.
 */
final class Whiteboard {

    private static final Logger LOG = LoggerFactory.getLogger(Whiteboard.class);

    private final Map<Capability, Set<String>> holds = new LinkedHashMap<>();

    void add(Capability capability) {
        holds.putIfAbsent(capability, new LinkedHashSet<>());
    }

    /** Forgets the capability and returns the domains it held, for the caller to devirtualize. */
    Set<String> remove(Capability capability) {
        Set<String> held = holds.remove(capability);
        return held == null ? Set.of() : held;
    }

    List<Capability> capabilities() {
        return new ArrayList<>(holds.keySet());
    }

    void virtualize(Capability capability, Domain domain) {
        try {
            capability.virtualize(domain);
            holds.computeIfAbsent(capability, c -> new LinkedHashSet<>()).add(domain.name());
        } catch (Exception | LinkageError e) {
            LOG.warn("capability {} could not virtualize {}: {}", capability.name(), domain, e.toString(), e);
        }
    }

    void virtualizeAll(Domain domain) {
        capabilities().forEach(c -> virtualize(c, domain));
    }

    static void devirtualize(Capability capability, Domain domain) {
        try {
            capability.devirtualize(domain);
        } catch (Exception | LinkageError e) {
            LOG.warn("capability {} could not devirtualize {}: {}", capability.name(), domain, e.toString(), e);
        }
    }

    /** Every capability holding the domain lets go of it. */
    void devirtualizeAll(Domain domain) {
        holds.forEach((capability, domains) -> {
            if (domains.remove(domain.name())) {
                devirtualize(capability, domain);
            }
        });
    }

    List<String> holding(String domain) {
        List<String> names = new ArrayList<>();
        holds.forEach((capability, domains) -> {
            if (domains.contains(domain)) {
                names.add(capability.name());
            }
        });
        return names;
    }
}
