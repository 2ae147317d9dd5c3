package io.hotvirt.checkpoint.shell;

import io.hotvirt.checkpoint.CheckpointService;
import io.hotvirt.checkpoint.image.ImageVerifier;
import org.apache.karaf.shell.api.action.Action;
import org.apache.karaf.shell.api.action.Argument;
import org.apache.karaf.shell.api.action.Command;
import org.apache.karaf.shell.api.action.Completion;
import org.apache.karaf.shell.api.action.lifecycle.Reference;
import org.apache.karaf.shell.api.action.lifecycle.Service;

@Command(scope = "checkpoint", name = "verify", description = "Checks an image: the MAC of its manifest, then every"
        + " file's size and SHA-256.",
        detailedDescription = "The manifest's MAC is checked with this node's key (an image from another node, or an"
                + " edited one, fails), then every file the manifest lists is checked for size and checksum, and"
                + " files it does not list are reported. Every problem is printed on its own line; the command fails"
                + " if there is any. IMAGE is a name from checkpoint:list or a path; a relative path is taken inside the image directory (where checkpoint:list looks), not Karaf's working directory.")
@Service
public class VerifyCommand implements Action {

    @Reference
    private CheckpointService checkpoints;

    @Argument(index = 0, name = "image", required = true, description = "Image name (checkpoint:list) or path; relative paths are taken inside the image directory")
    @Completion(ImageCompleter.class)
    private String image;

    @Override
    public Object execute() throws Exception {
        ImageVerifier.Result r = checkpoints.verify(image);
        if (r.ok()) {
            System.out.println(r.image() + ": OK (MAC and " + r.manifest().files().size() + " checksums)");
            return null;
        }
        System.out.println(r.image() + ": FAILED, " + r.problems().size() + " problem"
                + (r.problems().size() == 1 ? "" : "s") + ":");
        for (String p : r.problems()) {
            System.out.println("  " + p);
        }
        throw new IllegalStateException("image " + r.image() + " failed verification: " + String.join("; ", r.problems()));
    }
}
