package io.hotvirt.core.shell;

import io.hotvirt.api.DomainInfo;
import io.hotvirt.api.DomainService;
import org.apache.karaf.shell.api.action.Action;
import org.apache.karaf.shell.api.action.Argument;
import org.apache.karaf.shell.api.action.Command;
import org.apache.karaf.shell.api.action.Option;
import org.apache.karaf.shell.api.action.lifecycle.Reference;
import org.apache.karaf.shell.api.action.lifecycle.Service;

import java.util.List;

@Command(scope = "domain", name = "launch", description = "Starts a command as a new domain in its own cgroup,"
        + " as root unless --user names another user.",
        detailedDescription = "The command runs as the user hotvirt runs as, which is root, unless --user names"
                + " another: then it gets that user's uid, its group (or the one named) and the user's"
                + " supplementary groups, after it has joined its cgroup. It runs in a new session with stdin"
                + " from /dev/null and stdout and stderr appended to a log in logs/ of hotvirt's data directory (dataDir of io.hotvirt, /var/lib/hotvirt"
                + " by default). It joins the"
                + " domain's cgroup before it runs, so every process it forks belongs to the domain. Put -- before"
                + " the command so its options are not read as options of domain:launch.\n\nExamples:\n"
                + "  domain:launch w1 -- sh -c \"while :; do sleep 1; done\"\n"
                + "  domain:launch --user nobody w2 -- sleep 1000")
@Service
public class LaunchCommand implements Action {

    @Reference
    private DomainService domains;

    @Option(name = "--user", description = "Run the command as this user (USER or USER:GROUP, names"
            + " or numbers) instead of root, hotvirt's own user")
    private String user;

    @Argument(index = 0, name = "name", required = true, description = "Name of the new domain")
    private String name;

    @Argument(index = 1, name = "command", required = true, multiValued = true,
            description = "The command and its arguments, after --")
    private List<String> command;

    @Override
    public Object execute() throws Exception {
        // Karaf's parser hands "--" through as an argument; it only marks where the command starts.
        List<String> argv = !command.isEmpty() && command.get(0).equals("--") ? command.subList(1, command.size()) : command;
        DomainInfo domain = domains.launch(name, argv, user);
        System.out.println("Domain " + domain.name() + " launched: pid " + domain.rootPid() + ", cgroup "
                + domain.cgroup() + ", log " + domain.log() + "; it runs as " + (user == null ? System.getProperty("user.name") : "user " + user));
        return null;
    }
}
