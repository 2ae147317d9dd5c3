package io.hotvirt.core.shell;

import io.hotvirt.api.DomainInfo;
import io.hotvirt.api.ProcessInfo;
import io.hotvirt.shell.AnyDomainCommand;
import io.hotvirt.shell.Units;
import org.apache.karaf.shell.api.action.Command;
import org.apache.karaf.shell.api.action.lifecycle.Service;
import org.apache.karaf.shell.support.table.ShellTable;

import java.util.List;

@Command(scope = "domain", name = "info", description = "Shows a domain and its process tree.")
@Service
public class InfoCommand extends AnyDomainCommand {

    @Override
    protected Object act() throws Exception {
        DomainInfo d = info();
        line("Name", d.name());
        line("State", Formats.state(d));
        line("Origin", d.origin().name().toLowerCase());
        line("Root PID", String.valueOf(d.rootPid()));
        line("Processes", String.valueOf(d.processCount()));
        line("Cgroup", d.cgroup());
        line("Created", d.created().toString());
        line("Command", Formats.command(d.command()));
        line("Capabilities", d.capabilities().isEmpty() ? "-" : String.join(", ", d.capabilities()));
        if (d.log() != null) {
            line("Log", d.log());
        }
        List<ProcessInfo> tree = domains.processTree(name);
        if (!tree.isEmpty()) {
            System.out.println();
            ShellTable table = new ShellTable();
            table.column("PID").alignRight();
            table.column("PPID").alignRight();
            table.column("S");
            table.column("RSS").alignRight();
            table.column("Threads").alignRight();
            table.column("CPU").alignRight();
            table.column("Command");
            tree.forEach(p -> addRows(table, p, 0));
            table.print(System.out);
        }
        return null;
    }

    private static void line(String key, String value) {
        System.out.printf("%-13s: %s%n", key, value);
    }

    private static void addRows(ShellTable table, ProcessInfo p, int depth) {
        table.addRow().addContent(p.pid(), p.ppid(), p.state(), Units.bytes(p.rssBytes()), p.threads(),
                Units.duration(p.cpuTime()), "  ".repeat(depth) + (depth > 0 ? "\\_ " : "") + p.command());
        p.children().forEach(c -> addRows(table, c, depth + 1));
    }
}
