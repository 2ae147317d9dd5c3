package io.hotvirt.checkpoint.shell;

import io.hotvirt.checkpoint.CheckpointService;
import io.hotvirt.checkpoint.DomainCheckpointer;
import io.hotvirt.checkpoint.ImageCatalog;
import io.hotvirt.checkpoint.files.FileDescription;
import io.hotvirt.checkpoint.image.DumpStats;
import io.hotvirt.checkpoint.image.FileEntry;
import io.hotvirt.checkpoint.image.Manifest;
import io.hotvirt.checkpoint.image.ProcessMetadata;
import io.hotvirt.checkpoint.signals.ProcessSignals;
import io.hotvirt.checkpoint.signals.SignalAction;
import io.hotvirt.shell.Units;
import io.hotvirt.linux.process.Signals;
import org.apache.karaf.shell.api.action.Action;
import org.apache.karaf.shell.api.action.Argument;
import org.apache.karaf.shell.api.action.Command;
import org.apache.karaf.shell.api.action.Completion;
import org.apache.karaf.shell.api.action.Option;
import org.apache.karaf.shell.api.action.lifecycle.Reference;
import org.apache.karaf.shell.api.action.lifecycle.Service;
import org.apache.karaf.shell.support.table.ShellTable;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;

@Command(scope = "checkpoint", name = "show", description = "Shows what an image holds: process tree, memory"
        + " mappings, open files (shared ones with their priority process), sizes and statistics.",
        detailedDescription = "Reads the image's metadata (not its pages): the process tree with threads, the memory"
                + " areas of each process and how many pages were saved, signal handlers, every open file"
                + " description (a shared one once, with the priority process that reopens it at restore), the"
                + " size of every file, and the statistics of the dump: resident and swapped pages, pages read"
                + " directly from swap, bytes, how long the domain was frozen and the total time. --mappings lists"
                + " every area. IMAGE is a name from checkpoint:list or a path; a relative path is taken inside the image directory (where checkpoint:list looks), not Karaf's working directory. checkpoint:verify checks it.")
@Service
public class ShowCommand implements Action {

    @Reference
    private CheckpointService checkpoints;

    @Argument(index = 0, name = "image", required = true, description = "Image name (checkpoint:list) or path; relative paths are taken inside the image directory")
    @Completion(ImageCompleter.class)
    private String image;

    @Option(name = "--mappings", aliases = "-m", description = "List every memory area of every process")
    private boolean mappings;

    @Option(name = "--no-format", description = "Plain tables, for scripts")
    private boolean noFormat;

    @Override
    public Object execute() throws Exception {
        PrintStream out = System.out;
        ImageCatalog.Content c = checkpoints.read(image);
        Manifest m = c.manifest();
        DomainCheckpointer.DomainRecord d = c.domain();
        DumpCommand.line(out, "Image", c.path().toString());
        DumpCommand.line(out, "Domain", d == null ? "?" : d.domain() + " (cgroup " + d.cgroup() + ", "
                + (d.leftRunning() ? "left running" : "killed after the checkpoint") + ")");
        DumpCommand.line(out, "Node", String.valueOf(m.node()));
        DumpCommand.line(out, "Time", Format.time(m.created()));
        DumpCommand.line(out, "Format", "version " + m.formatVersion());
        DumpCommand.line(out, "Settings", d == null || d.settings().isEmpty() ? "-" : new TreeMap<>(d.settings())
                .entrySet().stream().map(e -> e.getKey() + " " + new TreeMap<>(e.getValue()))
                .collect(Collectors.joining(", ")));

        out.println();
        out.println("Process tree:");
        Map<Integer, ProcessMetadata> byPid = new TreeMap<>();
        c.processes().forEach(p -> byPid.put(p.pid(), p));
        Map<Integer, List<Integer>> children = new HashMap<>();
        List<Integer> roots = new ArrayList<>();
        for (ProcessMetadata p : c.processes()) {
            int ppid = p.tree() == null ? 0 : p.tree().ppid();
            if (byPid.containsKey(ppid) && ppid != p.pid()) {
                children.computeIfAbsent(ppid, k -> new ArrayList<>()).add(p.pid());
            } else {
                roots.add(p.pid());
            }
        }
        for (int root : roots) {
            printTree(out, byPid, children, root, "  ");
        }

        out.println();
        out.println("Memory:");
        ShellTable mem = new ShellTable();
        mem.column("PID").alignRight();
        mem.column("Areas").alignRight();
        mem.column("With pages").alignRight();
        mem.column("File").alignRight();
        mem.column("Shared").alignRight();
        mem.column("Kernel").alignRight();
        mem.column("Resident").alignRight();
        mem.column("Swapped").alignRight();
        mem.column("Bytes").alignRight();
        for (ProcessMetadata p : c.processes()) {
            Map<String, Long> kinds = p.areas().stream()
                    .collect(Collectors.groupingBy(ProcessMetadata.Area::contents, Collectors.counting()));
            DumpStats s = p.pages();
            mem.addRow().addContent(p.pid(), p.areas().size(), kinds.getOrDefault("pages", 0L),
                    kinds.getOrDefault("file", 0L), kinds.getOrDefault("shared", 0L) + kinds.getOrDefault("shm", 0L), kinds.getOrDefault("kernel", 0L),
                    s == null ? "?" : s.residentPages(), s == null ? "?" : s.swappedPages(),
                    s == null ? "?" : Units.bytes(s.bytes()));
        }
        mem.print(out, !noFormat);
        if (mappings) {
            for (ProcessMetadata p : c.processes()) {
                out.println("  process " + p.pid() + " (" + p.comm() + "):");
                for (ProcessMetadata.Area a : p.areas()) {
                    out.printf("    %016x-%016x %s %-6s %s%s%n", a.start(), a.end(), a.perms(), a.contents(), a.path(),
                            a.shm() == null ? "" : " → " + a.shm() + " @" + a.offset());
                }
            }
        }

        if (c.files() != null) {
            out.println();
            out.println("Open files (" + c.files().descriptions().size() + " descriptions; " + c.files().priorityRule()
                    + "):");
            ShellTable files = new ShellTable();
            files.column("ID").alignRight();
            files.column("Kind");
            files.column("Path");
            files.column("Offset").alignRight();
            files.column("Holders (pid:fd)");
            files.column("Owner").alignRight();
            files.column("Data");
            for (FileDescription f : c.files().descriptions()) {
                String holders = f.holders().stream().map(h -> h.pid() + ":" + h.fd()).collect(Collectors.joining(" "));
                String data = switch (f.kind()) {
                    case PIPE, FIFO -> f.pipeBytes() + " bytes in " + c.files().pipeDataFiles().get(f.pipeData());
                    case EVENTFD -> "count " + f.eventfdCount();
                    case UNIX_SOCKET -> "peer " + f.peerInode();
                    default -> "";
                };
                files.addRow().addContent(f.id(), f.kind() + (f.shared() ? " (shared)" : ""), f.path(), f.offset(),
                        holders, f.ownerPid(), data);
            }
            files.print(out, !noFormat);
            List<FileDescription> shared = c.files().descriptions().stream().filter(FileDescription::shared).toList();
            out.println("  shared descriptions: " + shared.size() + (shared.isEmpty() ? "" : " — " + shared.stream()
                    .map(f -> "#" + f.id() + " " + f.path() + " owned by " + f.ownerPid())
                    .collect(Collectors.joining(", "))));
        }

        out.println();
        out.println("Files of the image:");
        ShellTable sizes = new ShellTable();
        sizes.column("File");
        sizes.column("Size").alignRight();
        long total = 0;
        for (FileEntry f : m.files()) {
            sizes.addRow().addContent(f.name(), Units.bytes(f.size()));
            total += f.size();
        }
        sizes.addRow().addContent("total", Units.bytes(total));
        sizes.print(out, !noFormat);

        DumpStats s = m.stats();
        if (s != null) {
            out.println();
            out.println("Statistics:");
            DumpCommand.line(out, "Resident", s.residentPages() + " pages");
            DumpCommand.line(out, "Swapped", s.swappedPages() + " pages (" + s.swapDirectPages()
                    + " read directly from swap, " + s.swapViaProcessPages() + " through the process)");
            DumpCommand.line(out, "File pages", s.fileBackedPagesSkipped() + " unmodified pages of file mappings left"
                    + " to their files");
            DumpCommand.line(out, "Bytes", Units.bytes(s.bytes()) + " of page data");
            // the manifest holds the times known when it was written: a killed domain stayed stopped past it
            boolean killed = d != null && !d.leftRunning();
            DumpCommand.line(out, "Frozen", Units.millis(s.frozenMillis()) + (killed ? " until the image was written"
                    + " (then killed)" : ""));
            DumpCommand.line(out, "Total", Units.millis(s.totalMillis()) + " until the image was written");
        }
        if (d != null) {
            for (String note : d.notes()) {
                DumpCommand.line(out, "Note", note);
            }
        }
        return null;
    }

    private static void printTree(PrintStream out, Map<Integer, ProcessMetadata> byPid,
                                  Map<Integer, List<Integer>> children, int pid, String indent) {
        ProcessMetadata p = byPid.get(pid);
        StringBuilder b = new StringBuilder(indent).append(pid).append(' ').append(p.comm());
        if (p.tree() != null) {
            b.append("  ppid ").append(p.tree().ppid()).append(", pgid ").append(p.tree().pgid())
                    .append(", sid ").append(p.tree().sid()).append(", ").append(p.threads().size())
                    .append(p.threads().size() == 1 ? " thread" : " threads");
            b.append(", uid ").append(p.tree().credentials() == null ? "?" : p.tree().credentials().uid());
            b.append(", cwd ").append(p.tree().cwd()).append(", exe ").append(p.tree().exe());
            if (p.tree().stopped()) {
                b.append(", stopped (SIG").append(Signals.name(p.tree().stopSignal()))
                        .append("): restored stopped, until SIGCONT");
            }
        }
        out.println(b);
        ProcessSignals sig = p.signals();
        if (sig != null) {
            long handled = sig.actions().stream().filter(a -> !a.isDefault() && !a.isIgnored()).count();
            long ignored = sig.actions().stream().filter(SignalAction::isIgnored).count();
            int pending = sig.sharedPending().size() + sig.threads().stream().mapToInt(t -> t.pending().size()).sum();
            out.println(indent + "    signals: " + handled + " handled, " + ignored + " ignored, " + pending
                    + " pending");
        }
        for (int child : children.getOrDefault(pid, List.of())) {
            printTree(out, byPid, children, child, indent + "  ");
        }
    }
}
