package io.hotvirt.shell;

import org.apache.karaf.shell.api.action.Argument;
import org.apache.karaf.shell.api.action.Completion;

/** A {@link DomainCommand} for any domain hotvirt knows, running or exited: its name completes over all. */
public abstract class AnyDomainCommand extends DomainCommand {

    @Argument(index = 0, name = "name", required = true, description = "Name of the domain (domain:list shows them)")
    @Completion(DomainNameCompleter.class)
    protected String name;

    @Override
    protected String name() {
        return name;
    }
}
