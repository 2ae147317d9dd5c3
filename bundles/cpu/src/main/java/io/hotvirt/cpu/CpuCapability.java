package io.hotvirt.cpu;

import io.hotvirt.api.Capability;
import io.hotvirt.shell.capability.CgroupCapability;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;

/**
 * The cpu capability: while this service is registered, each domain runs under the CPU settings
 * stored with it (bandwidth, weight, pinning); when it goes away (the bundle stops, updates or is
 * uninstalled) the monitor devirtualizes every domain and the processes run at full speed again.
 */
@Component(service = Capability.class, property = "hotvirt.capability=" + CpuCapability.NAME)
public final class CpuCapability extends CgroupCapability {

    public static final String NAME = "cpu";

    @Activate
    public CpuCapability(@Reference CpuControl control) {
        super(NAME, control);
    }
}
