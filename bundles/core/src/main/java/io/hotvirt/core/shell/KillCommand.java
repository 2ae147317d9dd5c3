package io.hotvirt.core.shell;

import io.hotvirt.api.DomainService;
import io.hotvirt.linux.process.Signals;
import io.hotvirt.shell.DomainNameCompleter;
import org.apache.karaf.shell.api.action.Action;
import org.apache.karaf.shell.api.action.Argument;
import org.apache.karaf.shell.api.action.Command;
import org.apache.karaf.shell.api.action.Completion;
import org.apache.karaf.shell.api.action.Option;
import org.apache.karaf.shell.api.action.lifecycle.Reference;
import org.apache.karaf.shell.api.action.lifecycle.Service;

@Command(scope = "domain", name = "kill", description = "Sends a signal (KILL unless told) to every process of a domain.",
        detailedDescription = "The domain's cgroup is frozen while the signal goes out, so a process forking at that"
                + " moment cannot escape it. The domain shows as EXITED once every process has ended;"
                + " domain:remove then forgets it.")
@Service
public class KillCommand implements Action {

    @Reference
    private DomainService domains;

    @Argument(index = 0, name = "name", required = true, description = "Name of the domain")
    @Completion(DomainNameCompleter.class)
    private String name;

    @Option(name = "-s", aliases = "--signal", description = "Signal name or number, e.g. TERM, HUP, 9")
    private String signal = "KILL";

    @Override
    public Object execute() throws Exception {
        int number = Signals.parse(signal);
        int count = domains.kill(name, number);
        System.out.println("Sent SIG" + Signals.name(number) + " to " + count + " processes of domain " + name);
        return null;
    }
}
