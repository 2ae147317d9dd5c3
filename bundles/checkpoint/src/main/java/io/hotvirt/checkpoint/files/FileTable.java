package io.hotvirt.checkpoint.files;

import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The open files of a domain: each open file description once, and per process its fds.
 *
 * @param priorityRule {@link #PRIORITY_RULE}, written into the image so it states how owners were chosen
 * @param descriptions by id
 * @param processes    per process (in the order read: parents first) its fds
 * @param pipeData     the bytes in flight per pipe reference ({@code pipe-INODE})
 */
public record FileTable(String priorityRule, List<FileDescription> descriptions, List<ProcessFds> processes,
                        Map<String, byte[]> pipeData) {

    /** How the owner of a shared open file description is chosen. */
    public static final String PRIORITY_RULE = "owner = the holder with the lowest pid (parents before children"
            + " after a fork); it reopens the description at restore and the other holders receive it from it";

    public FileTable {
        descriptions = List.copyOf(descriptions);
        processes = List.copyOf(processes);
        pipeData = Map.copyOf(pipeData);
    }

    /** One fd of a process. closeOnExec is per fd, not per description. */
    public record FdRef(int fd, int descriptionId, boolean closeOnExec) {
    }

    public record ProcessFds(int pid, List<FdRef> fds) {
        public ProcessFds {
            fds = List.copyOf(fds);
        }
    }

    public FileDescription description(int id) {
        return descriptions.get(id - 1);
    }

    /** The description behind fd of pid. */
    public Optional<FileDescription> descriptionOf(int pid, int fd) {
        return processes.stream().filter(p -> p.pid() == pid).flatMap(p -> p.fds().stream())
                .filter(f -> f.fd() == fd).findFirst().map(f -> description(f.descriptionId()));
    }
}
