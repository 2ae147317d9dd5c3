package io.hotvirt.core.shell;

import io.hotvirt.api.DomainInfo;
import io.hotvirt.api.DomainService;
import org.apache.karaf.shell.api.action.Action;
import org.apache.karaf.shell.api.action.Command;
import org.apache.karaf.shell.api.action.Option;
import org.apache.karaf.shell.api.action.lifecycle.Reference;
import org.apache.karaf.shell.api.action.lifecycle.Service;
import org.apache.karaf.shell.support.table.ShellTable;

@Command(scope = "domain", name = "list", description = "Lists the domains hotvirt manages.")
@Service
public class ListCommand implements Action {

    @Reference
    private DomainService domains;

    @Option(name = "--no-format", description = "Plain output, for scripts")
    private boolean noFormat;

    @Override
    public Object execute() throws Exception {
        ShellTable table = new ShellTable();
        table.column("Name");
        table.column("State");
        table.column("PID").alignRight();
        table.column("Procs").alignRight();
        table.column("Origin");
        table.column("Capabilities");
        table.column("Command").maxSize(60);
        for (DomainInfo d : domains.list()) {
            table.addRow().addContent(d.name(), Formats.state(d), d.rootPid(), d.processCount(),
                    d.origin().name().toLowerCase(), String.join(",", d.capabilities()), Formats.command(d.command()));
        }
        table.emptyTableText("No domains: domain:launch or domain:adopt makes one" + System.lineSeparator());
        table.print(System.out, !noFormat);
        return null;
    }
}
