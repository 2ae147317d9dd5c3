package io.hotvirt.memory.shell;

import io.hotvirt.api.DomainInfo;
import io.hotvirt.api.DomainService;
import io.hotvirt.api.DomainState;
import org.apache.karaf.shell.api.action.lifecycle.Reference;
import org.apache.karaf.shell.api.action.lifecycle.Service;
import org.apache.karaf.shell.api.console.CommandLine;
import org.apache.karaf.shell.api.console.Completer;
import org.apache.karaf.shell.api.console.Session;
import org.apache.karaf.shell.support.completers.StringsCompleter;

import java.util.List;

/** Completes the names of the running domains: the ones with memory to limit, map or reclaim. */
@Service
public class DomainNameCompleter implements Completer {

    @Reference
    private DomainService domains;

    @Override
    public int complete(Session session, CommandLine commandLine, List<String> candidates) {
        StringsCompleter names = new StringsCompleter();
        for (DomainInfo domain : domains.list()) {
            if (domain.state() == DomainState.RUNNING) {
                names.getStrings().add(domain.name());
            }
        }
        return names.complete(session, commandLine, candidates);
    }
}
