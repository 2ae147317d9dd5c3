package io.hotvirt.core.shell;

import io.hotvirt.api.DomainInfo;
import io.hotvirt.api.DomainService;
import io.hotvirt.shell.Counted;
import org.apache.karaf.shell.api.action.Action;
import org.apache.karaf.shell.api.action.Argument;
import org.apache.karaf.shell.api.action.Command;
import org.apache.karaf.shell.api.action.lifecycle.Reference;
import org.apache.karaf.shell.api.action.lifecycle.Service;

@Command(scope = "domain", name = "adopt", description = "Takes a running process and all its descendants into a new domain.",
        detailedDescription = "Every process of the tree moves into the domain's cgroup while it runs; processes it"
                + " forks later follow by cgroup inheritance. domain:release gives them back where they came from.")
@Service
public class AdoptCommand implements Action {

    @Reference
    private DomainService domains;

    @Argument(index = 0, name = "name", required = true, description = "Name of the new domain")
    private String name;

    @Argument(index = 1, name = "pid", required = true, description = "PID of the root of the process tree")
    private int pid;

    @Override
    public Object execute() throws Exception {
        DomainInfo domain = domains.adopt(name, pid);
        System.out.println("Domain " + domain.name() + " adopted: " + Counted.of(domain.processCount(), "process") + ", cgroup "
                + domain.cgroup());
        return null;
    }
}
