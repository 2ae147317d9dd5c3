package io.hotvirt.memory;

import io.hotvirt.api.Domain;
import io.hotvirt.linux.cgroup.CgroupFiles;
import io.hotvirt.linux.cgroup.CgroupSettings;
import io.hotvirt.linux.cgroup.Cgroups;
import io.hotvirt.linux.cgroup.DomainCgroupFiles;
import io.hotvirt.memory.kernel.MemoryController;
import io.hotvirt.memory.kernel.MemoryControllers;
import io.hotvirt.memory.kernel.MemoryKnobs;
import io.hotvirt.memory.pages.DomainPages;
import io.hotvirt.memory.pages.PageCounter;
import io.hotvirt.memory.reclaim.ReclaimResult;
import io.hotvirt.memory.reclaim.Reclaimer;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.util.List;
import java.util.Optional;

/**
 * {@link MemoryControl} on the host's cgroups, with the strategy for their version. Kernel writes
 * are serialized, and rolled back on failure, by {@link CgroupSettings}; no lock is held while
 * calling into a {@link Domain} (the monitor calls the capability while holding its own lock).
 */
@Component(service = MemoryControl.class)
public final class CgroupMemoryControl implements MemoryControl {

    private static final Logger LOG = LoggerFactory.getLogger(CgroupMemoryControl.class);

    private final Cgroups cgroups;
    private final MemoryController controller;
    private final PageCounter counter = new PageCounter();
    private final CgroupSettings<MemorySettings> writes;

    @Activate
    public CgroupMemoryControl() throws IOException {
        this(Cgroups.detect());
    }

    public CgroupMemoryControl(Cgroups cgroups) {
        this(cgroups, MemoryControllers.forMode(cgroups.mode()));
    }

    CgroupMemoryControl(Cgroups cgroups, MemoryController controller) {
        this.cgroups = cgroups;
        this.controller = controller;
        this.writes = new CgroupSettings<>(controller::apply, MemorySettings.NONE, MemorySettings::describe);
    }

    @Override
    public String cgroupVersion() {
        return controller.version();
    }

    @Override
    public MemorySettings settings(Domain domain) {
        try {
            return MemorySettings.fromMap(domain.settings(MemoryCapability.NAME));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("the memory settings stored with domain " + domain.name()
                    + " do not parse (" + e.getMessage() + "); memory:set " + domain.name()
                    + " --max max --high max --swap-max max clears them", e);
        }
    }

    @Override
    public void virtualize(Domain domain) throws IOException {
        MemorySettings settings = settings(domain);
        CgroupFiles files = files(domain);
        writes.apply(files, settings, MemorySettings.NONE);
        LOG.debug("memory: {} virtualized: {}", domain.name(), settings.describe());
    }

    @Override
    public void devirtualize(Domain domain) throws IOException {
        Optional<CgroupFiles> files = find(domain);
        if (files.isEmpty()) {
            return; // the domain's processes are gone and so is its cgroup: no limit is left
        }
        writes.reset(files.get());
        LOG.debug("memory: {} devirtualized", domain.name());
    }

    @Override
    public List<String> configure(Domain domain, MemorySettings settings, boolean force) throws IOException {
        MemorySettings previous;
        try {
            previous = settings(domain);
        } catch (IllegalArgumentException unreadable) {
            previous = MemorySettings.NONE;
        }
        CgroupFiles files = files(domain);
        controller.check(files, settings);
        List<String> warnings = LimitWarnings.check(controller.version(), previous, settings,
                controller.usage(files), HostMemory.read());
        if (!warnings.isEmpty() && !force) {
            throw new LimitBelowUseException(domain.name(), warnings);
        }
        writes.apply(files, settings, previous);
        try {
            domain.saveSettings(MemoryCapability.NAME, settings.toMap());
        } catch (RuntimeException e) {
            writes.restore(files, previous, e);
            throw e;
        }
        return warnings;
    }

    @Override
    public MemoryUsage usage(Domain domain) throws IOException {
        return controller.usage(files(domain));
    }

    @Override
    public MemoryKnobs current(Domain domain) throws IOException {
        return controller.current(files(domain));
    }

    @Override
    public DomainPages pages(Domain domain) throws IOException {
        return counter.count(domain.pids());
    }

    @Override
    public ReclaimResult reclaim(Domain domain, Long bytes) throws IOException {
        if (bytes != null && bytes <= 0) {
            throw new IllegalArgumentException("--bytes must be positive");
        }
        return new Reclaimer(counter, controller).reclaim(files(domain), domain::pids, bytes);
    }

    @Override
    public HostMemory host() {
        return HostMemory.read();
    }

    private CgroupFiles files(Domain domain) throws IOException {
        return DomainCgroupFiles.open(cgroups, domain.name(), domain.cgroup());
    }

    private Optional<CgroupFiles> find(Domain domain) {
        return DomainCgroupFiles.find(cgroups, domain.cgroup());
    }
}
