package io.hotvirt.checkpoint.shell;

import io.hotvirt.checkpoint.CheckpointService;
import org.apache.karaf.shell.api.action.Action;
import org.apache.karaf.shell.api.action.Argument;
import org.apache.karaf.shell.api.action.Command;
import org.apache.karaf.shell.api.action.Completion;
import org.apache.karaf.shell.api.action.lifecycle.Reference;
import org.apache.karaf.shell.api.action.lifecycle.Service;

@Command(scope = "checkpoint", name = "delete", description = "Deletes an image.",
        detailedDescription = "Removes the image's manifest first (from then on it is no image), then the files the"
                + " manifest lists and the directory. A directory that is not a hotvirt image, or that holds files the"
                + " manifest does not list, is left alone. IMAGE is a name from checkpoint:list or a path.")
@Service
public class DeleteCommand implements Action {

    @Reference
    private CheckpointService checkpoints;

    @Argument(index = 0, name = "image", required = true, description = "Image name (checkpoint:list) or path")
    @Completion(ImageCompleter.class)
    private String image;

    @Override
    public Object execute() throws Exception {
        System.out.println("Deleted " + checkpoints.delete(image));
        return null;
    }
}
