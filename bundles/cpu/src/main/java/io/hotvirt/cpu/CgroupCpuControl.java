package io.hotvirt.cpu;

import io.hotvirt.api.Domain;
import io.hotvirt.cpu.kernel.CpuController;
import io.hotvirt.cpu.kernel.CpuKnobs;
import io.hotvirt.linux.cgroup.CgroupFiles;
import io.hotvirt.linux.cgroup.CgroupSettings;
import io.hotvirt.linux.cgroup.Cgroups;
import io.hotvirt.linux.cgroup.DomainCgroupFiles;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.util.Optional;

/**
 * {@link CpuControl} on the host's cgroups, with the strategy for their version. Kernel writes are
 * serialized, and rolled back on failure, by {@link CgroupSettings}; no lock is held while calling
 * into a {@link Domain} (the monitor calls the capability while holding its own lock).
 */
@Component(service = CpuControl.class)
public final class CgroupCpuControl implements CpuControl {

    private static final Logger LOG = LoggerFactory.getLogger(CgroupCpuControl.class);

    private final Cgroups cgroups;
    private final CpuController controller;
    private final CgroupSettings<CpuSettings> writes;

    @Activate
    public CgroupCpuControl() throws IOException {
        this(Cgroups.detect());
    }

    public CgroupCpuControl(Cgroups cgroups) {
        this(cgroups, CpuControllers.forMode(cgroups.mode()));
    }

    CgroupCpuControl(Cgroups cgroups, CpuController controller) {
        this.cgroups = cgroups;
        this.controller = controller;
        this.writes = new CgroupSettings<>(controller::apply, CpuSettings.NONE, CpuSettings::describe);
    }

    @Override
    public String cgroupVersion() {
        return controller.version();
    }

    @Override
    public CpuList onlineCpus() throws IOException {
        return OnlineCpus.read();
    }

    @Override
    public CpuSettings settings(Domain domain) {
        try {
            return CpuSettings.fromMap(domain.settings(CpuCapability.NAME));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("the cpu settings stored with domain " + domain.name()
                    + " do not parse (" + e.getMessage() + "); cpu:set " + domain.name() + " --reset clears them", e);
        }
    }

    @Override
    public void virtualize(Domain domain) throws IOException {
        CpuSettings settings = settings(domain);
        new CpuInput(onlineCpus()).check(settings);
        CgroupFiles files = files(domain);
        writes.apply(files, settings, CpuSettings.NONE);
        LOG.debug("cpu: {} virtualized: {}", domain.name(), settings.describe());
    }

    @Override
    public void devirtualize(Domain domain) throws IOException {
        Optional<CgroupFiles> files = find(domain);
        if (files.isEmpty()) {
            return; // the domain's processes are gone and so is its cgroup: no limit is left
        }
        writes.reset(files.get());
        LOG.debug("cpu: {} devirtualized", domain.name());
    }

    @Override
    public void configure(Domain domain, CpuSettings settings) throws IOException {
        new CpuInput(onlineCpus()).check(settings);
        CpuSettings previous;
        try {
            previous = settings(domain);
        } catch (IllegalArgumentException unreadable) {
            previous = CpuSettings.NONE;
        }
        CgroupFiles files = files(domain);
        writes.apply(files, settings, previous);
        try {
            domain.saveSettings(CpuCapability.NAME, settings.toMap());
        } catch (RuntimeException e) {
            writes.restore(files, previous, e);
            throw e;
        }
    }

    @Override
    public CpuUsage usage(Domain domain) throws IOException {
        return controller.usage(files(domain));
    }

    @Override
    public CpuKnobs current(Domain domain) throws IOException {
        return controller.current(files(domain));
    }

    private CgroupFiles files(Domain domain) throws IOException {
        return DomainCgroupFiles.open(cgroups, domain.name(), domain.cgroup());
    }

    private Optional<CgroupFiles> find(Domain domain) {
        return DomainCgroupFiles.find(cgroups, domain.cgroup());
    }
}
