package io.hotvirt.cpu;

import io.hotvirt.api.Domain;
import io.hotvirt.cpu.kernel.CpuKnobs;
import io.hotvirt.shell.capability.CgroupControl;

import java.io.IOException;

/**
 * CPU virtualization of domains, as this bundle's commands and its {@link CpuCapability} use it.
 * A service private to the bundle: other bundles see only the {@code Capability}.
 */
public interface CpuControl extends CgroupControl {

    CpuList onlineCpus() throws IOException;

    /**
     * The settings stored with a domain.
     *
     * @throws IllegalArgumentException when the stored values do not parse
     */
    CpuSettings settings(Domain domain);

    /**
     * Checks {@code settings} against this machine, applies them to the running domain and stores
     * them with it. If any step fails the domain is put back as it was and the error rethrown.
     */
    void configure(Domain domain, CpuSettings settings) throws IOException;

    CpuUsage usage(Domain domain) throws IOException;

    /** What the kernel holds the domain to now. */
    CpuKnobs current(Domain domain) throws IOException;
}
