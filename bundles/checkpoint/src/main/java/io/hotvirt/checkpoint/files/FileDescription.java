package io.hotvirt.checkpoint.files;

import java.util.List;

/**
 * One open file description (a kernel {@code struct file}), recorded once however many fds of
 * however many processes refer to it.
 *
 * @param id          the description's number in the image, from 1
 * @param kind        what it is
 * @param path        the fd link's target: a path, {@code pipe:[ino]}, {@code socket:[ino]} …
 * @param flags       the open flags from fdinfo without O_CLOEXEC (which belongs to each fd)
 * @param offset      the file position, shared by every holder
 * @param identity    device, inode, mode, rdev, size, mount id
 * @param ownerPid    the priority process: it reopens the file at restore and passes it to the
 *                    other holders ({@link FileTable#PRIORITY_RULE})
 * @param holders     every (pid, fd) referring to it, by pid then fd
 * @param pipeData    for a pipe or FIFO: the reference of its data in {@link FileTable#pipeData()}
 *                    (one per pipe inode, shared by its read and write ends), else null
 * @param pipeBytes   how many bytes were in the pipe, else 0
 * @param eventfdCount the eventfd counter, else 0
 * @param peerInode   for a unix socket: the peer's inode (0 for none or unknown), else 0
 * @param extra       the remaining fdinfo lines, as written; for a unix socket also its type
 *                    ({@link FileReader#UNIX_TYPE})
 */
public record FileDescription(int id, FileKind kind, String path, int flags, long offset, FileIdentity identity,
                              int ownerPid, List<Holder> holders, String pipeData, int pipeBytes, long eventfdCount,
                              long peerInode, List<String> extra) {

    public FileDescription {
        holders = List.copyOf(holders);
        extra = List.copyOf(extra);
    }

    /** One fd of one process referring to a description. */
    public record Holder(int pid, int fd) {
    }

    public boolean shared() {
        return holders.stream().map(Holder::pid).distinct().count() > 1;
    }
}
