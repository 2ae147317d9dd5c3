package io.hotvirt.shell.testing;

import io.hotvirt.api.Domain;
import io.hotvirt.linux.cgroup.DomainCgroup;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;

/** A domain for the capability bundles' kernel tests: a real cgroup and root process, settings kept in memory. */
public final class TestDomain implements Domain {

    private final String name;
    private final int rootPid;
    private final DomainCgroup cgroup;
    private final Map<String, Map<String, String>> settings = new HashMap<>();

    public TestDomain(String name, int rootPid, DomainCgroup cgroup) {
        this.name = name;
        this.rootPid = rootPid;
        this.cgroup = cgroup;
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public int rootPid() {
        return rootPid;
    }

    @Override
    public String cgroup() {
        return cgroup.path();
    }

    @Override
    public Set<Integer> pids() {
        try {
            return cgroup.pids();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public synchronized Map<String, String> settings(String capability) {
        return Map.copyOf(settings.getOrDefault(capability, Map.of()));
    }

    @Override
    public synchronized void saveSettings(String capability, Map<String, String> values) {
        settings.put(capability, Map.copyOf(values));
    }
}
