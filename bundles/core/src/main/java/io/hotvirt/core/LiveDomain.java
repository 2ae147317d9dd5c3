package io.hotvirt.core;

import io.hotvirt.api.Domain;
import io.hotvirt.core.registry.DomainRecord;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Map;
import java.util.Set;

/** The handle a capability gets: reads and writes go through the monitor, so they see live state. */
final class LiveDomain implements Domain {

    private final DomainMonitor monitor;
    private final String name;

    LiveDomain(DomainMonitor monitor, String name) {
        this.monitor = monitor;
        this.name = name;
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public int rootPid() {
        return monitor.record(name).rootPid();
    }

    @Override
    public String cgroup() {
        return monitor.record(name).cgroup();
    }

    @Override
    public Set<Integer> pids() {
        try {
            return monitor.pids(monitor.record(name));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public Map<String, String> settings(String capability) {
        return monitor.record(name).settings().getOrDefault(capability, Map.of());
    }

    @Override
    public void saveSettings(String capability, Map<String, String> settings) {
        try {
            monitor.saveSettings(name, capability, settings);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public String toString() {
        return "domain " + name;
    }
}
