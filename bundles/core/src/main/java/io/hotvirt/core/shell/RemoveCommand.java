package io.hotvirt.core.shell;

import io.hotvirt.shell.AnyDomainCommand;
import org.apache.karaf.shell.api.action.Command;
import org.apache.karaf.shell.api.action.lifecycle.Service;

@Command(scope = "domain", name = "remove", description = "Forgets an exited domain.",
        detailedDescription = "Only a domain whose processes have all ended can be removed; its log stays.")
@Service
public class RemoveCommand extends AnyDomainCommand {

    @Override
    protected Object act() throws Exception {
        domains.remove(name);
        System.out.println("Domain " + name + " removed");
        return null;
    }
}
