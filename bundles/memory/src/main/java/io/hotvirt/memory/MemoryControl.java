package io.hotvirt.memory;

import io.hotvirt.api.Domain;
import io.hotvirt.memory.kernel.MemoryKnobs;
import io.hotvirt.memory.pages.DomainPages;
import io.hotvirt.memory.reclaim.ReclaimResult;
import io.hotvirt.shell.capability.CgroupControl;

import java.io.IOException;
import java.util.List;

/**
 * Memory virtualization of domains, as this bundle's commands and its {@link MemoryCapability} use
 * it. A service private to the bundle: other bundles see only the {@code Capability}.
 */
public interface MemoryControl extends CgroupControl {

    /**
     * The settings stored with a domain.
     *
     * @throws IllegalArgumentException when the stored values do not parse
     */
    MemorySettings settings(Domain domain);

    /**
     * Applies {@code settings} to the running domain and stores them with it. If a limit that
     * changes is below what the domain uses now and {@code force} is false, nothing changes and a
     * {@link LimitBelowUseException} says what would happen. If any step fails the domain is put
     * back as it was and the error rethrown.
     *
     * @return the warnings for limits below the use that {@code force} let through
     */
    List<String> configure(Domain domain, MemorySettings settings, boolean force) throws IOException;

    MemoryUsage usage(Domain domain) throws IOException;

    /** What the kernel holds the domain to now. */
    MemoryKnobs current(Domain domain) throws IOException;

    /** The page-table view of every process of the domain. */
    DomainPages pages(Domain domain) throws IOException;

    /** Pushes up to {@code bytes} (null: as much as possible) of the domain's memory out of RAM. */
    ReclaimResult reclaim(Domain domain, Long bytes) throws IOException;

    /** The host's RAM and swap now. */
    HostMemory host();
}
