package io.hotvirt.core.shell;

import io.hotvirt.api.DomainService;
import io.hotvirt.linux.process.Signals;
import io.hotvirt.shell.Counted;
import io.hotvirt.shell.DomainNameCompleter;
import io.hotvirt.shell.TrailingOptions;
import io.hotvirt.shell.TrailingOptions;
import org.apache.karaf.shell.api.action.Action;
import org.apache.karaf.shell.api.action.Argument;
import org.apache.karaf.shell.api.action.Command;
import org.apache.karaf.shell.api.action.Completion;
import org.apache.karaf.shell.api.action.Option;
import org.apache.karaf.shell.api.action.lifecycle.Reference;
import org.apache.karaf.shell.api.action.lifecycle.Service;

import java.util.List;
import java.util.Map;

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

    @Option(name = "-s", aliases = "--signal", description = "Signal name or number, e.g. TERM, HUP, 9 (default KILL)")
    private String signal;

    @Argument(index = 1, name = "options", multiValued = true, description = "The option may also follow the"
            + " name: domain:kill w1 -s TERM")
    private List<String> trailing;

    @Override
    public Object execute() throws Exception {
        Map<String, String> after = TrailingOptions.parse(trailing, List.of("-s", "--signal"), List.of());
        String given = TrailingOptions.merge("-s", TrailingOptions.merge("--signal", signal, after), after);
        int number = Signals.parse(given == null ? "KILL" : given);
        int count = domains.kill(name, number);
        System.out.println("Sent SIG" + Signals.name(number) + " to " + Counted.of(count, "process") + " of domain " + name);
        return null;
    }
}
