package io.hotvirt.shell;

import io.hotvirt.api.DomainService;
import org.apache.karaf.shell.api.action.lifecycle.Reference;
import org.apache.karaf.shell.api.action.lifecycle.Service;
import org.apache.karaf.shell.api.console.CommandLine;
import org.apache.karaf.shell.api.console.Completer;
import org.apache.karaf.shell.api.console.Session;
import org.apache.karaf.shell.support.completers.StringsCompleter;

import java.util.List;

/**
 * Completes the names of the running domains: the ones a capability can act on. Registered by this
 * bundle's Karaf-Commands header; commands in other bundles name it in {@code @Completion}.
 */
@Service
public class RunningDomainCompleter implements Completer {

    @Reference
    private DomainService domains;

    @Override
    public int complete(Session session, CommandLine commandLine, List<String> candidates) {
        StringsCompleter names = new StringsCompleter();
        names.getStrings().addAll(RunningDomains.names(domains));
        return names.complete(session, commandLine, candidates);
    }
}
