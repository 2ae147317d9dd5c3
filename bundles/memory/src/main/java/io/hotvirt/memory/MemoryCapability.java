package io.hotvirt.memory;

import io.hotvirt.api.Capability;
import io.hotvirt.shell.capability.CgroupCapability;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;

/**
 * The memory capability: while this service is registered, each domain runs under the memory limits
 * stored with it (hard, soft, swap); when it goes away (the bundle stops, updates or is uninstalled)
 * the monitor devirtualizes every domain and its limits are lifted, the processes running on.
 */
@Component(service = Capability.class, property = "hotvirt.capability=" + MemoryCapability.NAME)
public final class MemoryCapability extends CgroupCapability {

    public static final String NAME = "memory";

    @Activate
    public MemoryCapability(@Reference MemoryControl control) {
        super(NAME, control);
    }
}
