package io.hotvirt.shell.capability;

import io.hotvirt.api.Domain;
import io.hotvirt.linux.cgroup.CgroupFiles;
import io.hotvirt.linux.cgroup.CgroupSettings;
import io.hotvirt.linux.cgroup.Cgroups;
import io.hotvirt.linux.cgroup.DomainCgroupFiles;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.util.Map;
import java.util.Optional;

/**
 * A cgroup capability's control on the host's cgroups: reads the settings stored with a domain,
 * writes them to the domain's cgroup and lifts them again. Kernel writes are serialized, and rolled
 * back on failure, by {@link CgroupSettings}; no lock is held while calling into a {@link Domain}
 * (the monitor calls the capability while holding its own lock). Subclasses add what is their own:
 * how the settings parse, checks against the machine, usage and the capability's other services.
 *
 * @param <S> the capability's settings
 */
public abstract class CgroupCapabilityControl<S extends CapabilitySettings> implements CgroupControl {

    private static final Logger LOG = LoggerFactory.getLogger(CgroupCapabilityControl.class);

    private final String capability;
    private final Cgroups cgroups;
    private final String version;
    private final S none;
    private final CgroupSettings<S> writes;

    /**
     * @param capability the capability's name, under which its settings are stored with a domain
     * @param version    the cgroup version the writer is for, {@code v1} or {@code v2}
     * @param writer     puts a cgroup in exactly the state the settings describe
     * @param none       the settings that lift every limit
     */
    protected CgroupCapabilityControl(String capability, Cgroups cgroups, String version, CgroupSettings.Writer<S> writer,
                                      S none) {
        this.capability = capability;
        this.cgroups = cgroups;
        this.version = version;
        this.none = none;
        this.writes = new CgroupSettings<>(writer, none, CapabilitySettings::describe);
    }

    /**
     * The settings in their stored form.
     *
     * @throws IllegalArgumentException when they do not parse
     */
    protected abstract S parse(Map<String, String> stored);

    /** The command that clears this capability's settings of a domain, for the message about unreadable ones. */
    protected abstract String clearCommand(String domain);

    /** Refuses settings this machine cannot honour, before anything is written (nothing by default). */
    protected void check(S settings) throws IOException {
    }

    @Override
    public String cgroupVersion() {
        return version;
    }

    /**
     * The settings stored with a domain.
     *
     * @throws IllegalArgumentException when they do not parse, saying how to clear them
     */
    public S settings(Domain domain) {
        try {
            return parse(domain.settings(capability));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("the " + capability + " settings stored with domain " + domain.name()
                    + " do not parse (" + e.getMessage() + "); " + clearCommand(domain.name()) + " clears them", e);
        }
    }

    @Override
    public void virtualize(Domain domain) throws IOException {
        S settings = settings(domain);
        check(settings);
        writes.apply(files(domain), settings, none);
        LOG.debug("{}: {} virtualized: {}", capability, domain.name(), settings.describe());
    }

    @Override
    public void devirtualize(Domain domain) throws IOException {
        Optional<CgroupFiles> files = DomainCgroupFiles.find(cgroups, domain.cgroup());
        if (files.isEmpty()) {
            return; // the domain's processes are gone and so is its cgroup: no limit is left
        }
        writes.reset(files.get());
        LOG.debug("{}: {} devirtualized", capability, domain.name());
    }

    /** The settings stored with a domain, or none when they do not parse (a change replaces them). */
    protected S storedOrNone(Domain domain) {
        try {
            return settings(domain);
        } catch (IllegalArgumentException unreadable) {
            return none;
        }
    }

    /**
     * Writes {@code settings} to the running domain's cgroup and stores them with the domain. If the
     * write fails the cgroup gets {@code previous} back; if storing fails, too.
     */
    protected void change(Domain domain, CgroupFiles files, S settings, S previous) throws IOException {
        writes.apply(files, settings, previous);
        try {
            domain.saveSettings(capability, settings.toMap());
        } catch (RuntimeException e) {
            writes.restore(files, previous, e);
            throw e;
        }
    }

    /**
     * The domain's cgroup files.
     *
     * @throws IOException saying the domain's processes have exited, if its cgroup is gone
     */
    protected CgroupFiles files(Domain domain) throws IOException {
        return DomainCgroupFiles.open(cgroups, domain.name(), domain.cgroup());
    }
}
