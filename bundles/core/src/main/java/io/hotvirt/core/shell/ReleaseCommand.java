package io.hotvirt.core.shell;

import io.hotvirt.shell.AnyDomainCommand;
import io.hotvirt.shell.Counted;
import org.apache.karaf.shell.api.action.Command;
import org.apache.karaf.shell.api.action.lifecycle.Service;

@Command(scope = "domain", name = "release", description = "Gives a domain back to the host; its processes run on.",
        detailedDescription = "Every capability lets go of the domain, its processes move back to the cgroups they"
                + " came from (processes born in the domain go where its root came from) and hotvirt forgets it.")
@Service
public class ReleaseCommand extends AnyDomainCommand {

    @Override
    protected Object act() throws Exception {
        int count = domains.release(name);
        System.out.println("Domain " + name + " released: " + Counted.of(count, "process") + (count == 1 ? " runs" : " run") + " on outside hotvirt");
        return null;
    }
}
