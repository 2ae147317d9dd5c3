package io.hotvirt.checkpoint.shell;

import io.hotvirt.checkpoint.CheckpointService;
import io.hotvirt.checkpoint.DomainCheckpointer;
import io.hotvirt.checkpoint.image.DumpStats;
import io.hotvirt.checkpoint.tree.ProcessRecord;
import io.hotvirt.shell.RunningDomainCommand;
import io.hotvirt.shell.Units;
import org.apache.karaf.shell.api.action.Command;
import org.apache.karaf.shell.api.action.Option;
import org.apache.karaf.shell.api.action.lifecycle.Reference;
import org.apache.karaf.shell.api.action.lifecycle.Service;

import java.io.PrintStream;
import java.util.stream.Collectors;

@Command(scope = "checkpoint", name = "dump", description = "Saves a running domain to an image, then kills it"
        + " (or, with --leave-running, lets it run on).",
        detailedDescription = "Freezes the domain's cgroup, seizes and interrupts every thread, thaws, and saves every"
                + " process parents first: its tree record, the registers and FPU state of every thread, its signal"
                + " state and its memory (resident pages first, then swapped pages read straight from swap), then"
                + " the open files of the domain (a shared open file description once, with its priority process)"
                + " and the data in its pipes. The manifest, with checksums and a MAC made with this node's key, is"
                + " written last. Without --leave-running the domain is killed while still stopped, so nothing runs"
                + " past the checkpoint. On any error the domain is released and runs on, and no image is left."
                + " A process stopped by job control (state T) is saved stopped, and stays stopped (or is restored"
                + " stopped) until SIGCONT. A domain with a process under seccomp is refused before it is touched."
                + " A domain left running is checked afterwards: any process or thread that ended is named. Frozen"
                + " is how long the domain was stopped (killed, until the kill), Total the whole dump."
                + " The image goes to ${karaf.data}/hotvirt/images/NAME-yyyyMMdd-HHmmss unless --dir says otherwise;"
                + " a relative --dir is taken inside that image directory, not Karaf's working directory.")
@Service
public class DumpCommand extends RunningDomainCommand {

    @Reference
    private CheckpointService checkpoints;

    @Option(name = "--leave-running", aliases = "-l", description = "Let the domain run on after the checkpoint"
            + " (default: kill it)")
    private boolean leaveRunning;

    @Option(name = "--dir", aliases = "-d", description = "Where the image goes: an existing directory to make it in,"
            + " or the image directory itself (must not exist); relative: inside the image directory")
    private String dir;

    public DumpCommand() {
        super("there is nothing left to checkpoint");
    }

    @Override
    protected Object act() throws Exception {
        runningInfo();
        PrintStream out = System.out;
        long[] lastPrint = {System.nanoTime()};
        DomainCheckpointer.Progress progress = (pages, bytes, nanos) -> {
            long now = System.nanoTime();
            if (now - lastPrint[0] >= 500_000_000L) {
                lastPrint[0] = now;
                out.println("  " + pages + " pages, " + Units.bytes(bytes) + ", " + Units.rate(bytes, nanos));
                out.flush();
            }
        };
        out.println("Checkpointing " + name + (leaveRunning ? " (leaving it running)" : "") + " ...");
        DomainCheckpointer.Result r = checkpoints.dump(name, leaveRunning, dir, progress);
        DumpStats s = r.stats();
        line(out, "Image", r.image().toString());
        line(out, "Domain", name + " (" + r.fate() + ")");
        line(out, "Processes", r.processes().size() + ": " + r.processes().stream()
                .map(p -> p.pid() + " " + p.comm()).collect(Collectors.joining(", ")));
        line(out, "Threads", Integer.toString(r.processes().stream().mapToInt(p -> p.threads().size()).sum()));
        line(out, "Pages", (s.residentPages() + s.swappedPages()) + " (" + s.residentPages() + " resident, "
                + s.swappedPages() + " swapped: " + s.swapDirectPages() + " read directly from swap, "
                + s.swapViaProcessPages() + " through the process)");
        // the phases' end-to-end times: the manifest's stop at the commit
        line(out, "Bytes", Units.bytes(s.bytes()) + " of page data, " + Units.rate(s.bytes(), r.phases().totalNanos()));
        line(out, "Frozen", Units.millis(r.phases().frozenMillis()) + (r.leftRunning() ? "" : " (until the kill)"));
        line(out, "Phases", r.phases().toString());
        line(out, "Total", Units.millis(r.phases().totalMillis()));
        for (String note : r.notes()) {
            line(out, "Note", note);
        }
        return null;
    }

    static void line(PrintStream out, String key, String value) {
        out.printf("%-10s: %s%n", key, value);
    }

    static String tree(ProcessRecord p) {
        return p.pid() + " " + p.comm();
    }
}
