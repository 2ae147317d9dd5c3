package io.hotvirt.memory.shell;

import io.hotvirt.api.Domain;
import io.hotvirt.linux.proc.MemoryMapping;
import io.hotvirt.memory.Sizes;
import io.hotvirt.memory.pages.DomainPages;
import io.hotvirt.memory.pages.MappingPages;
import io.hotvirt.memory.pages.PageCounts;
import io.hotvirt.memory.pages.ProcessPages;
import org.apache.karaf.shell.api.action.Command;
import org.apache.karaf.shell.api.action.Option;
import org.apache.karaf.shell.api.action.lifecycle.Service;
import org.apache.karaf.shell.support.table.Row;
import org.apache.karaf.shell.support.table.ShellTable;

@Command(scope = "memory", name = "map", description = "Shows a domain's page tables: for each process (and with"
        + " --detail each memory area) the pages resident, swapped and not present, anonymous and file-backed.",
        detailedDescription = "Read from /proc/PID/maps and /proc/PID/pagemap, as a checkpoint reads them: only the"
                + " page table entries, never the pages' contents, and nothing swapped is brought back in. Counts are"
                + " in pages (see the page size below the table). Resident = Anon + File/shm; Anon counts private"
                + " anonymous pages, including copied-on-write pages of private file mappings; File/shm counts page"
                + " cache and shared memory. Not present pages were never touched, or were dropped (clean file"
                + " pages). The kernel's own areas ([vdso], [vvar], [vsyscall]) are left out.")
@Service
public class MapCommand extends MemoryCommand {

    @Option(name = "--detail", aliases = "-d", description = "One row per memory area of each process as well")
    private boolean detail;

    @Option(name = "--no-format", description = "Plain output, for scripts")
    private boolean noFormat;

    @Override
    protected Object act() throws Exception {
        Domain domain = runningDomain();
        DomainPages pages = memory.pages(domain);

        ShellTable table = new ShellTable();
        table.column("PID").alignRight();
        table.column(detail ? "Process / area" : "Process");
        table.column("Kind");
        table.column("Pages").alignRight();
        table.column("Resident").alignRight();
        table.column("Anon").alignRight();
        table.column("File/shm").alignRight();
        table.column("Swapped").alignRight();
        table.column("Not present").alignRight();
        for (ProcessPages p : pages.processes()) {
            add(table, Integer.toString(p.pid()), p.command(), p.mappings().size() + " areas", p.total());
            if (detail) {
                for (MappingPages m : p.mappings()) {
                    add(table, "", area(m.mapping()), m.kind(), m.counts());
                }
            }
        }
        add(table, "", "domain " + name, pages.processes().size() + " process"
                + (pages.processes().size() == 1 ? "" : "es"), pages.total());
        table.print(System.out, !noFormat);
        if (!noFormat) {
            PageCounts t = pages.total();
            System.out.println("Page size " + Sizes.format(pages.pageSize()) + ". Domain " + name + ": resident "
                    + Sizes.format(pages.bytes(t.resident())) + " (anon " + Sizes.format(pages.bytes(t.residentAnon()))
                    + ", file/shm " + Sizes.format(pages.bytes(t.residentFile())) + "), swapped "
                    + Sizes.format(pages.bytes(t.swapped())) + ", not present " + Sizes.format(pages.bytes(t.notPresent()))
                    + ", of " + Sizes.format(pages.bytes(t.pages())) + " mapped.");
            if (!pages.vanished().isEmpty()) {
                System.out.println("Exited while being read, not counted: " + pages.vanished());
            }
        }
        return null;
    }

    private static void add(ShellTable table, String pid, String what, String kind, PageCounts c) {
        Row row = table.addRow();
        row.addContent(pid, what, kind, c.pages(), c.resident(), c.residentAnon(), c.residentFile(), c.swapped(),
                c.notPresent());
    }

    /** {@code   7f3a1c000000-7f3a24000000 rw-p [heap]}: indented under its process. */
    static String area(MemoryMapping m) {
        String path = m.path().isEmpty() ? "" : " " + m.path();
        return String.format("  %x-%x %s%s", m.start(), m.end(), m.perms(), path);
    }
}
