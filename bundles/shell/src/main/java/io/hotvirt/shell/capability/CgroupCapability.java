package io.hotvirt.shell.capability;

import io.hotvirt.api.Capability;
import io.hotvirt.api.Domain;

/**
 * A capability whose hold on a domain is settings in the domain's cgroup: while the service is
 * registered each domain runs under the settings stored with it; when it goes away (the bundle
 * stops, updates or is uninstalled) the monitor devirtualizes every domain and the limits are lifted,
 * the processes running on. A capability bundle's DS component extends this with its name and control.
 */
public abstract class CgroupCapability implements Capability {

    private final String name;
    private final CgroupControl control;

    protected CgroupCapability(String name, CgroupControl control) {
        this.name = name;
        this.control = control;
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public void virtualize(Domain domain) throws Exception {
        control.virtualize(domain);
    }

    @Override
    public void devirtualize(Domain domain) throws Exception {
        control.devirtualize(domain);
    }

    @Override
    public String toString() {
        return name + " capability (cgroup " + control.cgroupVersion() + ")";
    }
}
