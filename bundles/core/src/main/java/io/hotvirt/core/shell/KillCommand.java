package io.hotvirt.core.shell;

import io.hotvirt.linux.process.Signals;
import io.hotvirt.shell.AnyDomainCommand;
import io.hotvirt.shell.Counted;
import org.apache.karaf.shell.api.action.Command;
import org.apache.karaf.shell.api.action.Completion;
import org.apache.karaf.shell.api.action.Option;
import org.apache.karaf.shell.api.action.lifecycle.Service;

@Command(scope = "domain", name = "kill", description = "Sends a signal (KILL unless told) to every process of a domain.",
        detailedDescription = "The domain's cgroup is frozen while the signal goes out, so a process forking at that"
                + " moment cannot escape it. The domain shows as EXITED once every process has ended;"
                + " domain:remove then forgets it.")
@Service
public class KillCommand extends AnyDomainCommand {

    @Option(name = "-s", aliases = "--signal", description = "Signal name or number, e.g. TERM, HUP, 9 (default KILL)")
    @Completion(SignalCompleter.class)
    private String signal;

    @Override
    protected Object act() throws Exception {
        int number = Signals.parse(signal == null ? "KILL" : signal);
        int count = domains.kill(name, number);
        System.out.println("Sent SIG" + Signals.name(number) + " to " + Counted.of(count, "process") + " of domain " + name);
        return null;
    }
}
