package io.hotvirt.core.shell;

import io.hotvirt.linux.process.Signals;
import org.apache.karaf.shell.api.action.lifecycle.Service;
import org.apache.karaf.shell.api.console.CommandLine;
import org.apache.karaf.shell.api.console.Completer;
import org.apache.karaf.shell.api.console.Session;
import org.apache.karaf.shell.support.completers.StringsCompleter;

import java.util.List;

/** Completes signal names for {@code domain:kill -s}: TERM, HUP, KILL … (any case; numbers are typed). */
@Service
public class SignalCompleter implements Completer {

    private final Completer names = new StringsCompleter(Signals.names(), false);

    @Override
    public int complete(Session session, CommandLine commandLine, List<String> candidates) {
        return names.complete(session, commandLine, candidates);
    }
}
