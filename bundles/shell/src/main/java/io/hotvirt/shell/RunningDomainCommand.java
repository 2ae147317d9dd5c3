package io.hotvirt.shell;

import io.hotvirt.api.Domain;
import io.hotvirt.api.DomainInfo;
import org.apache.karaf.shell.api.action.Argument;
import org.apache.karaf.shell.api.action.Completion;

/**
 * A {@link DomainCommand} for a running domain (the ones a capability acts on): its name completes
 * over the running domains, and an exited one is refused with the reason the command gives.
 */
public abstract class RunningDomainCommand extends DomainCommand {

    private final String exited;

    @Argument(index = 0, name = "name", required = true, description = "Name of a running domain")
    @Completion(RunningDomainCompleter.class)
    protected String name;

    /**
     * @param exited what the error says after "domain NAME has exited: ", e.g. "it has no CPU use to
     *               set or show"
     */
    protected RunningDomainCommand(String exited) {
        this.exited = exited;
    }

    @Override
    protected String name() {
        return name;
    }

    /** The running domain's info, or the error for an unknown or exited name. */
    protected DomainInfo runningInfo() {
        return RunningDomains.info(domains, name, exited);
    }

    /** The running domain itself, or the error for an unknown or exited name. */
    protected Domain runningDomain() {
        return RunningDomains.domain(domains, name, exited);
    }
}
