package io.hotvirt.core.shell;

import io.hotvirt.api.DomainService;
import io.hotvirt.shell.DomainNameCompleter;
import org.apache.karaf.shell.api.action.Action;
import org.apache.karaf.shell.api.action.Argument;
import org.apache.karaf.shell.api.action.Command;
import org.apache.karaf.shell.api.action.Completion;
import org.apache.karaf.shell.api.action.lifecycle.Reference;
import org.apache.karaf.shell.api.action.lifecycle.Service;

@Command(scope = "domain", name = "remove", description = "Forgets an exited domain.",
        detailedDescription = "Only a domain whose processes have all ended can be removed; its log stays.")
@Service
public class RemoveCommand implements Action {

    @Reference
    private DomainService domains;

    @Argument(index = 0, name = "name", required = true, description = "Name of the domain")
    @Completion(DomainNameCompleter.class)
    private String name;

    @Override
    public Object execute() throws Exception {
        domains.remove(name);
        System.out.println("Domain " + name + " removed");
        return null;
    }
}
