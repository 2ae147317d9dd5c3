package io.hotvirt.memory;

import io.hotvirt.api.Domain;
import io.hotvirt.linux.cgroup.CgroupFiles;
import io.hotvirt.linux.cgroup.Cgroups;
import io.hotvirt.memory.kernel.MemoryController;
import io.hotvirt.memory.kernel.MemoryControllers;
import io.hotvirt.memory.kernel.MemoryKnobs;
import io.hotvirt.memory.pages.DomainPages;
import io.hotvirt.memory.pages.PageCounter;
import io.hotvirt.memory.reclaim.ReclaimResult;
import io.hotvirt.memory.reclaim.Reclaimer;
import io.hotvirt.shell.capability.CgroupCapabilityControl;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;

import java.io.IOException;
import java.util.List;
import java.util.Map;

/** {@link MemoryControl} on the host's cgroups, with the strategy for their version. */
@Component(service = MemoryControl.class)
public final class CgroupMemoryControl extends CgroupCapabilityControl<MemorySettings> implements MemoryControl {

    private final MemoryController controller;
    private final PageCounter counter = new PageCounter();

    @Activate
    public CgroupMemoryControl() throws IOException {
        this(Cgroups.detect());
    }

    public CgroupMemoryControl(Cgroups cgroups) {
        this(cgroups, MemoryControllers.forMode(cgroups.mode()));
    }

    CgroupMemoryControl(Cgroups cgroups, MemoryController controller) {
        super(MemoryCapability.NAME, cgroups, controller.version(), controller::apply, MemorySettings.NONE);
        this.controller = controller;
    }

    @Override
    protected MemorySettings parse(Map<String, String> stored) {
        return MemorySettings.fromMap(stored);
    }

    @Override
    protected String clearCommand(String domain) {
        return "memory:set " + domain + " --max max --high max --swap-max max";
    }

    @Override
    public List<String> configure(Domain domain, MemorySettings settings, boolean force) throws IOException {
        MemorySettings previous = storedOrNone(domain);
        CgroupFiles files = files(domain);
        controller.check(files, settings);
        List<String> warnings = LimitWarnings.check(controller.version(), previous, settings,
                controller.usage(files), HostMemory.read());
        if (!warnings.isEmpty() && !force) {
            throw new LimitBelowUseException(domain.name(), warnings);
        }
        change(domain, files, settings, previous);
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
}
