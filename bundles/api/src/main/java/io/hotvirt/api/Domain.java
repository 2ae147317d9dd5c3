package io.hotvirt.api;

import java.util.Map;
import java.util.Set;

/**
 * A live domain as a capability sees it: enough to take hold of it and to let go of it.
 * Settings a capability stores here persist with the domain and survive a container restart.
 */
public interface Domain {

    String name();

    int rootPid();

    /** The domain's cgroup relative to each hierarchy's root, e.g. {@code hotvirt/w1}. */
    String cgroup();

    /** The processes in the domain now. */
    Set<Integer> pids();

    /** The settings the named capability stored for this domain; empty if none. */
    Map<String, String> settings(String capability);

    /** Replaces and persists the settings of the named capability for this domain. */
    void saveSettings(String capability, Map<String, String> settings);
}
