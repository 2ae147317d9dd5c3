package io.hotvirt.checkpoint.shell;

import io.hotvirt.checkpoint.CheckpointService;
import org.apache.karaf.shell.api.action.lifecycle.Reference;
import org.apache.karaf.shell.api.action.lifecycle.Service;
import org.apache.karaf.shell.api.console.CommandLine;
import org.apache.karaf.shell.api.console.Completer;
import org.apache.karaf.shell.api.console.Session;
import org.apache.karaf.shell.support.completers.StringsCompleter;

import java.util.List;

/** Completes the names of the running domains: the ones that can be checkpointed. */
@Service
public class RunningDomainCompleter implements Completer {

    @Reference
    private CheckpointService checkpoints;

    @Override
    public int complete(Session session, CommandLine commandLine, List<String> candidates) {
        StringsCompleter names = new StringsCompleter();
        names.getStrings().addAll(checkpoints.runningDomains());
        return names.complete(session, commandLine, candidates);
    }
}
