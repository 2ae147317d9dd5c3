package io.hotvirt.cpu;

import io.hotvirt.api.Domain;
import io.hotvirt.cpu.kernel.CpuController;
import io.hotvirt.cpu.kernel.CpuKnobs;
import io.hotvirt.linux.cgroup.Cgroups;
import io.hotvirt.shell.capability.CgroupCapabilityControl;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;

import java.io.IOException;
import java.util.Map;

/** {@link CpuControl} on the host's cgroups, with the strategy for their version. */
@Component(service = CpuControl.class)
public final class CgroupCpuControl extends CgroupCapabilityControl<CpuSettings> implements CpuControl {

    private final CpuController controller;

    @Activate
    public CgroupCpuControl() throws IOException {
        this(Cgroups.detect());
    }

    public CgroupCpuControl(Cgroups cgroups) {
        this(cgroups, CpuControllers.forMode(cgroups.mode()));
    }

    CgroupCpuControl(Cgroups cgroups, CpuController controller) {
        super(CpuCapability.NAME, cgroups, controller.version(), controller::apply, CpuSettings.NONE);
        this.controller = controller;
    }

    @Override
    protected CpuSettings parse(Map<String, String> stored) {
        return CpuSettings.fromMap(stored);
    }

    @Override
    protected String clearCommand(String domain) {
        return "cpu:set " + domain + " --reset";
    }

    @Override
    protected void check(CpuSettings settings) throws IOException {
        new CpuInput(onlineCpus()).check(settings);
    }

    @Override
    public CpuList onlineCpus() throws IOException {
        return OnlineCpus.read();
    }

    @Override
    public void configure(Domain domain, CpuSettings settings) throws IOException {
        check(settings);
        CpuSettings previous = storedOrNone(domain);
        change(domain, files(domain), settings, previous);
    }

    @Override
    public CpuUsage usage(Domain domain) throws IOException {
        return controller.usage(files(domain));
    }

    @Override
    public CpuKnobs current(Domain domain) throws IOException {
        return controller.current(files(domain));
    }
}
