package io.hotvirt.checkpoint.restore;

import com.sun.jna.LastErrorException;
import io.hotvirt.checkpoint.files.FileDescription;
import io.hotvirt.checkpoint.files.FileIdentity;
import io.hotvirt.checkpoint.files.FileKind;
import io.hotvirt.checkpoint.files.FileReader;
import io.hotvirt.checkpoint.files.FileTable;
import io.hotvirt.linux.jna.Errno;
import io.hotvirt.linux.jna.LibC;
import io.hotvirt.linux.jna.Syscall;
import io.hotvirt.linux.process.PipePeek;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static io.hotvirt.linux.jna.LibC.AF_UNIX;
import static io.hotvirt.linux.jna.LibC.F_GETPIPE_SZ;
import static io.hotvirt.linux.jna.LibC.F_SETPIPE_SZ;
import static io.hotvirt.linux.jna.LibC.O_ACCMODE;
import static io.hotvirt.linux.jna.LibC.O_LARGEFILE;
import static io.hotvirt.linux.jna.LibC.O_PATH;
import static io.hotvirt.linux.jna.LibC.S_IFMT;

/**
 * Makes each open file description anew, once, in its owner ({@link FileTable#PRIORITY_RULE}), and
 * leaves it parked there ({@link FdSpace#park}) for the holders to take. Objects with two ends (a
 * pipe, a socketpair) are made in the owner of one end; the other end moves to its own owner with
 * pidfd_getfd, so every description ends up parked in its owner.
 */
final class FileCreator {

    private static final int OPEN_IGNORED = LibC.O_CREAT | LibC.O_EXCL | LibC.O_TRUNC | LibC.O_CLOEXEC;
    private static final int EFD_SEMAPHORE = 1;
    private static final long UINT_MAX = 0xffffffffL;
    private static final int SOCK_NONBLOCK = LibC.O_NONBLOCK;

    private final FileTable table;
    private final Map<Integer, FdSpace> spaces; // by image pid
    private final Map<Integer, Integer> parked = new HashMap<>(); // description id -> fd in its owner

    FileCreator(FileTable table, Map<Integer, FdSpace> spaces) {
        this.table = table;
        this.spaces = spaces;
    }

    /** Makes every description; returns description id → its parked fd in its owner. */
    Map<Integer, Integer> createAll() throws IOException {
        for (FileDescription d : table.descriptions()) {
            if (parked.containsKey(d.id())) {
                continue; // made with its other end
            }
            try {
                create(d);
            } catch (IOException e) {
                if (e.getMessage() != null && e.getMessage().contains(where(d))) {
                    throw e;
                }
                throw new IOException("restoring " + where(d) + ": " + e.getMessage(), e);
            }
        }
        return parked;
    }

    private void create(FileDescription d) throws IOException {
        switch (d.kind()) {
            case REGULAR, DIRECTORY, DEV_NULL, TERMINAL, CHAR_DEVICE, BLOCK_DEVICE -> reopen(d);
            case PIPE -> pipe(d);
            case FIFO -> fifo(d);
            case EVENTFD -> eventfd(d);
            case UNIX_SOCKET -> socketpair(d);
            default -> throw notYet(d, "");
        }
    }

    /** A file in the filesystem: opened again by path, checked to be the same file, its offset set. */
    private void reopen(FileDescription d) throws IOException {
        checkPath(d);
        FdSpace owner = owner(d);
        int flags = (d.flags() & ~OPEN_IGNORED) | (d.kind() == FileKind.TERMINAL ? LibC.O_NOCTTY : 0);
        // a terminal's number is reused by other sessions, so its identity proves nothing: only as the user
        int fd = owner.park(d.kind() == FileKind.TERMINAL ? owner.open(d.path(), flags)
                : owner.openAsGranted(d.path(), flags));
        parked.put(d.id(), fd);
        checkSameFile(d, owner.procFd(fd));
        boolean seekable = d.kind() == FileKind.REGULAR || d.kind() == FileKind.BLOCK_DEVICE
                || d.kind() == FileKind.DIRECTORY;
        if (seekable && d.offset() != 0 && (d.flags() & O_PATH) == 0) {
            owner.seek(fd, d.offset());
        }
    }

    /** One pipe per pipe inode: made in the owner of its first description, data put back, ends handed out. */
    private void pipe(FileDescription d) throws IOException {
        List<FileDescription> ends = sameInode(d);
        FileDescription read = null;
        FileDescription write = null;
        for (FileDescription e : ends) {
            switch (e.flags() & O_ACCMODE) {
                case LibC.O_RDONLY -> read = read == null ? e : tooMany(e);
                case LibC.O_WRONLY -> write = write == null ? e : tooMany(e);
                default -> throw notYet(e, " (a pipe end opened read-write through /proc)");
            }
        }
        FdSpace creator = owner(d);
        int[] raw = creator.pair("pipe2", Syscall.PIPE2, FdSpace.FDS, 0);
        int r = creator.park(raw[0]);
        int w = creator.park(raw[1]);
        fill(creator.procFd(w), data(d));
        place(read, creator, r, 0);
        place(write, creator, w, 0);
    }

    /**
     * A FIFO: a helper opened O_RDWR|O_NONBLOCK in the creator keeps a reader and a writer while each
     * description is opened with its own access mode (non-blocking, so neither end waits for the
     * other) and gets its status flags back, and while the saved data is written.
     */
    private void fifo(FileDescription d) throws IOException {
        checkPath(d);
        FdSpace creator = owner(d);
        int helper = creator.park(creator.open(d.path(), LibC.O_RDWR | LibC.O_NONBLOCK));
        checkSameFile(d, creator.procFd(helper));
        int already = PipePeek.pendingBytes(creator.process.pid(), helper);
        if (already != 0) {
            throw new IOException("the FIFO " + d.path() + " already holds " + already
                    + " bytes: a process outside the domain has it open");
        }
        for (FileDescription e : sameInode(d)) {
            FdSpace owner = owner(e);
            int opened = (e.flags() & ~OPEN_IGNORED) | LibC.O_NONBLOCK;
            try {
                int fd = owner.park(owner.open(e.path(), opened));
                parked.put(e.id(), fd);
                owner.fixFlags(fd, opened, e.flags());
            } catch (IOException x) {
                throw new IOException("restoring " + where(e) + ": " + x.getMessage(), x);
            }
        }
        fill(creator.procFd(helper), data(d));
        creator.closeParked(helper);
    }

    /** eventfd2 with the saved count (above 2^32 - 1, eventfd2 cannot: it is written after). */
    private void eventfd(FileDescription d) throws IOException {
        FdSpace owner = owner(d);
        boolean semaphore = d.extra().stream().anyMatch(l -> l.replace(" ", "").equals("eventfd-semaphore:1"));
        int flags = (d.flags() & LibC.O_NONBLOCK) | (semaphore ? EFD_SEMAPHORE : 0);
        long count = d.eventfdCount();
        long initial = Long.compareUnsigned(count, UINT_MAX) <= 0 ? count : 0;
        int fd = owner.park((int) owner.process.call("eventfd2", Syscall.EVENTFD2, initial, flags));
        parked.put(d.id(), fd);
        if (initial != count) {
            owner.write(fd, ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(count).array());
        }
    }

    /** A unix socketpair: both ends in the domain, each the other's peer. */
    private void socketpair(FileDescription d) throws IOException {
        FileDescription peer = table.descriptions().stream()
                .filter(p -> p.kind() == FileKind.UNIX_SOCKET && p.id() != d.id() && d.peerInode() != 0
                        && p.identity().ino() == d.peerInode() && p.peerInode() == d.identity().ino())
                .findFirst()
                .orElseThrow(() -> notYet(d, " (only a socketpair whose two ends are both in the domain is restored;"
                        + " peer inode " + d.peerInode() + ")"));
        int type = unixType(d);
        if (unixType(peer) != type) {
            throw new IOException("the two ends of the socketpair have different types: " + type + " and "
                    + unixType(peer));
        }
        FdSpace creator = owner(d);
        int[] raw = creator.pair("socketpair", Syscall.SOCKETPAIR, AF_UNIX, type, 0, FdSpace.FDS);
        int a = creator.park(raw[0]);
        int b = creator.park(raw[1]);
        place(d, creator, a, 0);
        place(peer, creator, b, 0);
    }

    /**
     * Puts an end made in {@code creator} (parked at {@code fd}, status flags {@code created}) where
     * its description belongs: kept when the creator owns it, else taken by its owner; closed when
     * no description of the image uses it.
     */
    private void place(FileDescription e, FdSpace creator, int fd, int created) throws IOException {
        if (e == null) {
            creator.closeParked(fd);
            return;
        }
        try {
            FdSpace owner = owner(e);
            int at = fd;
            if (owner != creator) {
                at = owner.park(owner.receive(creator.imagePid, fd));
                creator.closeParked(fd);
            }
            owner.fixFlags(at, created, e.flags());
            parked.put(e.id(), at);
        } catch (IOException x) {
            throw new IOException("restoring " + where(e) + ": " + x.getMessage(), x);
        }
    }

    private static int unixType(FileDescription d) throws IOException {
        for (String line : d.extra()) {
            if (line.startsWith(FileReader.UNIX_TYPE)) {
                return Integer.parseInt(line.substring(FileReader.UNIX_TYPE.length()).trim());
            }
        }
        throw new IOException("the image does not say the socket's type (no '" + FileReader.UNIX_TYPE + "' line)");
    }

    /** The descriptions of the same pipe or FIFO inode (one pipe has a read and a write description). */
    private List<FileDescription> sameInode(FileDescription d) {
        return table.descriptions().stream().filter(e -> e.kind() == d.kind()
                && e.identity().dev() == d.identity().dev() && e.identity().ino() == d.identity().ino()).toList();
    }

    private byte[] data(FileDescription d) throws IOException {
        if (d.pipeBytes() == 0) {
            return new byte[0];
        }
        byte[] data = d.pipeData() == null ? null : table.pipeData().get(d.pipeData());
        if (data == null || data.length != d.pipeBytes()) {
            throw new IOException("the image lacks the " + d.pipeBytes() + " bytes of pipe data " + d.pipeData());
        }
        return data;
    }

    /**
     * Writes the saved bytes into the pipe behind {@code procFd} from here: opened anew through the
     * magic link (the same pipe), its capacity raised first when the data would not fit.
     */
    private static void fill(Path procFd, byte[] data) throws IOException {
        if (data.length == 0) {
            return;
        }
        LibC c = LibC.INSTANCE;
        String path = procFd.toString();
        int fd;
        try {
            fd = c.open(path, LibC.O_WRONLY | LibC.O_NONBLOCK | LibC.O_CLOEXEC, 0);
        } catch (LastErrorException e) {
            throw new IOException("cannot open " + path + " to put the pipe data back: " + Errno.describe(e.getErrorCode()), e);
        }
        try {
            if (c.syscall(Syscall.FCNTL, fd, F_GETPIPE_SZ, 0) < data.length) {
                c.syscall(Syscall.FCNTL, fd, F_SETPIPE_SZ, data.length);
            }
            int done = 0;
            while (done < data.length) {
                byte[] rest = done == 0 ? data : java.util.Arrays.copyOfRange(data, done, data.length);
                long n = c.write(fd, rest, rest.length);
                if (n <= 0) {
                    throw new IOException("wrote " + done + " of the " + data.length + " bytes of pipe data");
                }
                done += (int) n;
            }
        } catch (LastErrorException e) {
            throw new IOException("putting " + data.length + " bytes of pipe data back through " + path + ": "
                    + Errno.describe(e.getErrorCode()), e);
        } finally {
            c.close(fd);
        }
    }

    private static void checkPath(FileDescription d) throws IOException {
        if (d.path().endsWith(" (deleted)")) {
            throw new IOException("cannot restore deleted file " + d.path() + " (it was deleted before the checkpoint)");
        }
        if (!d.path().startsWith("/")) {
            throw new IOException("not a path: " + d.path());
        }
    }

    /**
     * The file opened at restore is the one in the image: the same type (and device number for a
     * device), the same filesystem and inode (across filesystems inode numbers say nothing, so a path
     * swapped for a link elsewhere must not pass; a filesystem whose device number changed with a
     * remount or reboot needs a fresh checkpoint); a regular file also the same size (as CRIU's
     * default file validation) — else it was replaced or changed since the checkpoint. A file open for
     * appending may have grown (a log the restored domain, or an earlier restore of it, wrote to):
     * its writes go to the end whatever the size.
     */
    private static void checkSameFile(FileDescription d, Path procFd) throws IOException {
        Map<String, Object> a = Files.readAttributes(procFd, "unix:dev,ino,mode,rdev,size");
        FileIdentity was = d.identity();
        FileIdentity now = new FileIdentity((Long) a.get("dev"), (Long) a.get("ino"), (Integer) a.get("mode"),
                (Long) a.get("rdev"), (Long) a.get("size"), 0);
        String why = null;
        if ((now.mode() & S_IFMT) != was.type()) {
            why = "it is another type of file now (mode " + Integer.toOctalString(now.mode()) + ", was "
                    + Integer.toOctalString(was.mode()) + ")";
        } else if (was.rdev() != now.rdev()) {
            why = "it is device " + now.rdevMajor() + ":" + now.rdevMinor() + " now, was " + was.rdevMajor() + ":"
                    + was.rdevMinor();
        } else if (was.dev() != now.dev()) {
            why = "it is on another filesystem now: device " + FileIdentity.major(now.dev()) + ":"
                    + FileIdentity.minor(now.dev()) + ", was " + FileIdentity.major(was.dev()) + ":"
                    + FileIdentity.minor(was.dev());
        } else if (was.ino() != now.ino()) {
            why = "it was replaced: inode " + now.ino() + ", was " + was.ino();
        } else if (d.kind() == FileKind.REGULAR && was.size() != now.size()
                && !((d.flags() & LibC.O_APPEND) != 0 && now.size() > was.size())) {
            why = "it changed since the checkpoint: " + now.size() + " bytes, was " + was.size();
        }
        if (why != null) {
            throw new IOException(d.path() + " is not the file in the image: " + why);
        }
    }

    private FdSpace owner(FileDescription d) throws IOException {
        FdSpace s = spaces.get(d.ownerPid());
        if (s == null) {
            throw new IOException("its owner, process " + d.ownerPid() + ", is not being restored");
        }
        return s;
    }

    private static FileDescription tooMany(FileDescription e) throws IOException {
        throw notYet(e, " (more than one description of one pipe end: reopened through /proc)");
    }

    private static IOException notYet(FileDescription d, String why) {
        return new IOException("cannot restore " + where(d) + " yet" + why);
    }

    /** "process P fd N (KIND path)": the description at its owner's first fd. */
    static String where(FileDescription d) {
        int fd = d.holders().stream().filter(h -> h.pid() == d.ownerPid()).mapToInt(FileDescription.Holder::fd)
                .findFirst().orElse(-1);
        return "process " + d.ownerPid() + " fd " + fd + " (" + d.kind() + " " + d.path() + ")";
    }
}
