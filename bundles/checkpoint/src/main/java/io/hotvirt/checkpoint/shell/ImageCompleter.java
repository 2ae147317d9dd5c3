package io.hotvirt.checkpoint.shell;

import io.hotvirt.checkpoint.CheckpointService;
import io.hotvirt.checkpoint.ImageCatalog;
import org.apache.karaf.shell.api.action.lifecycle.Reference;
import org.apache.karaf.shell.api.action.lifecycle.Service;
import org.apache.karaf.shell.api.console.CommandLine;
import org.apache.karaf.shell.api.console.Completer;
import org.apache.karaf.shell.api.console.Session;
import org.apache.karaf.shell.support.completers.StringsCompleter;

import java.io.IOException;
import java.util.List;

/** Completes the names of the images in the default image directory. */
@Service
public class ImageCompleter implements Completer {

    @Reference
    private CheckpointService checkpoints;

    @Override
    public int complete(Session session, CommandLine commandLine, List<String> candidates) {
        StringsCompleter names = new StringsCompleter();
        try {
            for (ImageCatalog.Entry e : checkpoints.list()) {
                names.getStrings().add(e.name());
            }
        } catch (IOException e) {
            // nothing to offer
        }
        return names.complete(session, commandLine, candidates);
    }
}
