package io.hotvirt.checkpoint.shell;

import io.hotvirt.checkpoint.CheckpointService;
import io.hotvirt.checkpoint.image.ImageFormat;
import io.hotvirt.checkpoint.restore.DomainRestorer;
import io.hotvirt.checkpoint.restore.MemoryRestorer;
import io.hotvirt.shell.TrailingOptions;
import io.hotvirt.shell.Units;
import org.apache.karaf.shell.api.action.Action;
import org.apache.karaf.shell.api.action.Argument;
import org.apache.karaf.shell.api.action.Command;
import org.apache.karaf.shell.api.action.Completion;
import org.apache.karaf.shell.api.action.Option;
import org.apache.karaf.shell.api.action.lifecycle.Reference;
import org.apache.karaf.shell.api.action.lifecycle.Service;

import java.io.PrintStream;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

@Command(scope = "checkpoint", name = "restore", description = "Brings a domain back from an image: the same"
        + " processes, PIDs, memory, files and signal state, running on from where the checkpoint stopped them.",
        detailedDescription = "First the image is verified (its MAC with this node's key, then every file's checksum):"
                + " a damaged, edited or foreign image is refused before any process is made. A name in use is"
                + " refused too: the domain gets the image's name unless --name gives another. The process tree is"
                + " rebuilt with its original PIDs (with --new-pidns inside a new PID namespace, for when those PIDs"
                + " are taken) and becomes a domain (origin 'restored') with the capability settings saved in the"
                + " image (cpu, memory ...) in force, so that the memory it gets back is charged to it; then every"
                + " process's memory, threads, registers, files, pipes and signals are restored while all stay"
                + " stopped (pages that were in swap go back to swap), and every process resumes together. On any failure"
                + " every process made is killed: nothing half-restored lives on.\n\n"
                + "Memory: by default private pages of areas the process cannot write (code, read-only data) are"
                + " mapped copy-on-write from the image's page file, and the others are copied into anonymous memory:"
                + " exact, but restore time grows with writable memory (about 1 s per GiB here). --zero-copy maps"
                + " every private area but the heap and the main stack from the page file, so restore time hardly"
                + " grows with memory size; it is not exact for writable memory: a page dropped with MADV_DONTNEED"
                + " reads back its checkpointed bytes rather than zeros (jemalloc's and glibc arenas' calloc rely on"
                + " zeros), MADV_FREE and userfaultfd refuse such pages, and they get no transparent huge pages. Use"
                + " it for workloads known not to depend on these. --copy copies every page.\n\n"
                + "IMAGE is a name from checkpoint:list or a path; a relative path is taken inside the image directory (where checkpoint:list looks), not Karaf's working directory.")
@Service
public class RestoreCommand implements Action {

    @Reference
    private CheckpointService checkpoints;

    @Argument(index = 0, name = "image", required = true, description = "Image name (checkpoint:list) or path; relative paths are taken inside the image directory")
    @Completion(ImageCompleter.class)
    private String image;

    @Option(name = "--name", aliases = "-n", description = "Name of the restored domain (default: the image's"
            + " domain name)")
    private String name;

    @Option(name = "--new-pidns", description = "Restore inside a new PID namespace (when the original PIDs are"
            + " taken); the domain's root PID is then that namespace's init")
    private boolean newPidns;

    @Option(name = "--copy", description = "Copy every page into anonymous memory, read-only areas too")
    private boolean copy;

    @Option(name = "--zero-copy", description = "Map every private area but heap and stack copy-on-write from the"
            + " image (fast at any size; not exact for writable memory: see the help)")
    private boolean zeroCopy;

    @Argument(index = 1, name = "options", multiValued = true, description = "The options may also follow the"
            + " image: checkpoint:restore w1-20261125-112846 --name w2 --zero-copy")
    private List<String> trailing;

    @Override
    public Object execute() throws Exception {
        Map<String, String> after = TrailingOptions.parse(trailing, List.of("--name", "-n"),
                List.of("--new-pidns", "--copy", "--zero-copy"));
        newPidns |= after.containsKey("--new-pidns");
        copy |= after.containsKey("--copy");
        zeroCopy |= after.containsKey("--zero-copy");
        if (copy && zeroCopy) {
            throw new IllegalArgumentException("--copy and --zero-copy exclude each other");
        }
        MemoryRestorer.Mode memory = copy ? MemoryRestorer.Mode.COPY
                : zeroCopy ? MemoryRestorer.Mode.ZERO_COPY : MemoryRestorer.Mode.ZERO_COPY_READ_ONLY;
        name = TrailingOptions.merge("--name", "-n", name, after);
        PrintStream out = System.out;
        DomainRestorer.Progress progress = line -> {
            out.println("  " + line);
            out.flush();
        };
        out.println("Restoring " + image + (name == null ? "" : " as " + name) + " ...");
        out.flush();
        DomainRestorer.Result r = checkpoints.restore(image, name, newPidns, memory, progress);
        DumpCommand.line(out, "Domain", r.domain() + " (restored, running)");
        DumpCommand.line(out, "Root PID", r.rootPid() + (newPidns ? " (init of a new PID namespace)" : ""));
        DumpCommand.line(out, "Processes", r.pids().size() + ": " + r.pids().stream().map(String::valueOf)
                .collect(Collectors.joining(", ")));
        DumpCommand.line(out, "Threads", Integer.toString(r.threads()));
        DumpCommand.line(out, "Pages", r.imagePages() + " (" + Units.bytes(r.imagePages() * ImageFormat.PAGE_SIZE)
                + " from the image)");
        DumpCommand.line(out, "Memory", switch (memory) {
            case COPY -> "copied into anonymous memory (--copy)";
            case ZERO_COPY -> "zero-copy: mapped copy-on-write from the image's page files (--zero-copy)";
            case ZERO_COPY_READ_ONLY -> "read-only areas mapped from the image, writable ones copied";
        });
        DumpCommand.line(out, "Memory in", Units.nanos(r.memoryNanos()));
        DumpCommand.line(out, "Resume", Units.nanos(r.resumeNanos()));
        DumpCommand.line(out, "Total", Units.nanos(r.nanos()));
        for (String note : r.notes()) {
            DumpCommand.line(out, "Note", note);
        }
        return null;
    }
}
