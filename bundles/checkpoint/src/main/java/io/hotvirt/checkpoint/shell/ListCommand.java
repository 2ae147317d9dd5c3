package io.hotvirt.checkpoint.shell;

import io.hotvirt.checkpoint.CheckpointService;
import io.hotvirt.checkpoint.ImageCatalog;
import io.hotvirt.shell.Units;
import org.apache.karaf.shell.api.action.Action;
import org.apache.karaf.shell.api.action.Command;
import org.apache.karaf.shell.api.action.Option;
import org.apache.karaf.shell.api.action.lifecycle.Reference;
import org.apache.karaf.shell.api.action.lifecycle.Service;
import org.apache.karaf.shell.support.table.ShellTable;

import java.util.List;

@Command(scope = "checkpoint", name = "list", description = "Lists the images in the image directory.",
        detailedDescription = "Shows every image under ${karaf.data}/hotvirt/images, newest first: its name, the domain"
                + " it was taken of, when, how many processes, its size, and whether it checks out. By default the"
                + " check is quick (the MAC with this node's key and every file's size); --full also recomputes every"
                + " checksum, as checkpoint:verify does. --all also shows the partial images (.NAME.partial) that dumps"
                + " which did not finish left behind; they are removed when the checkpoint bundle starts and after a"
                + " failed dump, and checkpoint:delete removes one.")
@Service
public class ListCommand implements Action {

    @Reference
    private CheckpointService checkpoints;

    @Option(name = "--full", description = "Verify every checksum too (reads every image whole)")
    private boolean full;

    @Option(name = "--all", aliases = "-a", description = "Also show partial images left by dumps that did not finish")
    private boolean all;

    @Option(name = "--no-format", description = "Plain output, for scripts")
    private boolean noFormat;

    @Override
    public Object execute() throws Exception {
        List<ImageCatalog.Entry> images = checkpoints.list(all);
        if (images.isEmpty()) {
            System.out.println("No images in " + checkpoints.imagesDir());
            return null;
        }
        ShellTable table = new ShellTable();
        table.column("Image");
        table.column("Domain");
        table.column("Time");
        table.column("Processes").alignRight();
        table.column("Size").alignRight();
        table.column("Verified");
        for (ImageCatalog.Entry e : images) {
            String check = e.check();
            if (full && check.equals("MAC ok")) {
                var result = checkpoints.catalog().verify(e.path());
                check = result.ok() ? "yes (MAC, checksums)" : "NO: " + result.problems().get(0);
            }
            table.addRow().addContent(e.name(), e.domain(), Format.time(e.created()), e.processes(),
                    Units.bytes(e.bytes()), check);
        }
        table.print(System.out, !noFormat);
        return null;
    }
}
