package io.hotvirt.checkpoint.shell;

import io.hotvirt.checkpoint.CheckpointService;
import org.apache.karaf.shell.api.action.Action;
import org.apache.karaf.shell.api.action.Argument;
import org.apache.karaf.shell.api.action.Command;
import org.apache.karaf.shell.api.action.Completion;
import org.apache.karaf.shell.api.action.lifecycle.Reference;
import org.apache.karaf.shell.api.action.lifecycle.Service;

@Command(scope = "checkpoint", name = "delete", description = "Deletes an image.",
        detailedDescription = "Checks the image's manifest with this node's key (its MAC), then removes the manifest"
                + " (from then on it is no image), the files the manifest lists and the directory. Only plain files"
                + " inside the image are removed: a manifest that fails its MAC (made elsewhere or by hand), names a"
                + " file outside the image (../, a path) or a symbolic link, a directory that is not a hotvirt image,"
                + " or one holding files the manifest does not list, is refused and left alone. A partial image left"
                + " by a dump that did not finish (.NAME.partial, shown by checkpoint:list --all) is removed whole."
                + " IMAGE is a name from checkpoint:list or a path; a relative path is taken inside the image"
                + " directory (where checkpoint:list looks), not Karaf's working directory.")
@Service
public class DeleteCommand implements Action {

    @Reference
    private CheckpointService checkpoints;

    @Argument(index = 0, name = "image", required = true, description = "Image name (checkpoint:list) or path; relative paths are taken inside the image directory")
    @Completion(ImageCompleter.class)
    private String image;

    @Override
    public Object execute() throws Exception {
        System.out.println("Deleted " + checkpoints.delete(image));
        return null;
    }
}
