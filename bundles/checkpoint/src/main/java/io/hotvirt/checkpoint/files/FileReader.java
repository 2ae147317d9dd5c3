package io.hotvirt.checkpoint.files;

import io.hotvirt.linux.proc.FdInfo;
import io.hotvirt.linux.proc.Kcmp;
import io.hotvirt.linux.proc.Procfs;
import io.hotvirt.linux.proc.UnixSockets;
import io.hotvirt.linux.process.PipePeek;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeSet;

import static io.hotvirt.linux.jna.LibC.O_CLOEXEC;
import static io.hotvirt.linux.jna.LibC.S_IFMT;

/**
 * Reads the open files of a stopped domain and groups its fds into open file descriptions.
 *
 * <p>Two fds are one description when kcmp(KCMP_FILE) says so; kcmp is only asked for candidates
 * with equal (st_dev, st_ino, flags without O_CLOEXEC), which a shared description always has.
 * Holders are visited by ascending pid, so the first holder of a description — its owner — is the
 * one with the lowest pid ({@link FileTable#PRIORITY_RULE}).
 */
public final class FileReader {

    private static final int S_IFREG = 0100000;
    private static final int S_IFDIR = 0040000;
    private static final int S_IFCHR = 0020000;
    private static final int S_IFBLK = 0060000;
    private static final int S_IFIFO = 0010000;
    private static final int S_IFSOCK = 0140000;

    /** The {@code extra} line a unix socket gets from sock_diag: {@code "unix-type: N"} (1 stream, 2 dgram, 5 seqpacket). */
    public static final String UNIX_TYPE = "unix-type:";

    private FileReader() {
    }

    private record Seen(int pid, FdInfo info, FileIdentity identity, int flags) {
        Key key() {
            return new Key(identity.dev(), identity.ino(), flags);
        }
    }

    private record Key(long dev, long ino, int flags) {
    }

    private static final class Group {
        final Seen first;
        final List<Seen> members = new ArrayList<>();

        Group(Seen first) {
            this.first = first;
            members.add(first);
        }
    }

    public static FileTable read(Collection<Integer> pids) throws IOException {
        List<Integer> order = new ArrayList<>(new TreeSet<>(pids)); // ascending pid: the owner comes first
        Map<Key, List<Group>> candidates = new HashMap<>();
        List<Group> groups = new ArrayList<>();
        Map<Integer, List<Seen>> perProcess = new LinkedHashMap<>();
        for (int pid : order) {
            List<Seen> seen = new ArrayList<>();
            for (FdInfo info : Procfs.fds(pid)) {
                FileIdentity identity = identity(pid, info);
                Seen s = new Seen(pid, info, identity, info.flags() & ~O_CLOEXEC);
                seen.add(s);
                Group match = null;
                for (Group g : candidates.computeIfAbsent(s.key(), k -> new ArrayList<>())) {
                    if (Kcmp.sameFile(g.first.pid(), g.first.info().fd(), pid, info.fd())) {
                        match = g;
                        break;
                    }
                }
                if (match == null) {
                    match = new Group(s);
                    candidates.get(s.key()).add(match);
                    groups.add(match);
                } else {
                    match.members.add(s);
                }
            }
            perProcess.put(pid, seen);
        }

        Map<Long, UnixSockets.Info> sockets = null;
        Map<String, byte[]> pipeData = new HashMap<>();
        List<FileDescription> descriptions = new ArrayList<>();
        Map<Seen, Integer> idOf = new HashMap<>();
        for (Group g : groups) {
            int id = descriptions.size() + 1;
            Seen s = g.first;
            FdInfo info = s.info();
            FileKind kind = kind(info, s.identity());
            String pipeRef = null;
            int pipeBytes = 0;
            long eventfd = 0;
            long peer = 0;
            List<String> extra = new ArrayList<>(info.extra());
            if (kind == FileKind.SOCKET) {
                if (sockets == null) {
                    sockets = UnixSockets.all();
                }
                if (sockets.containsKey(s.identity().ino())) {
                    kind = FileKind.UNIX_SOCKET;
                }
            }
            switch (kind) {
                case PIPE, FIFO -> {
                    pipeRef = "pipe-" + s.identity().ino();
                    byte[] data = pipeData.get(pipeRef);
                    if (data == null) {
                        data = PipePeek.peek(s.pid(), info.fd());
                        pipeData.put(pipeRef, data);
                    }
                    pipeBytes = data.length;
                }
                case EVENTFD -> eventfd = eventfdCount(info);
                case UNIX_SOCKET -> {
                    UnixSockets.Info u = sockets.get(s.identity().ino());
                    peer = u == null ? 0 : u.peerInode();
                    if (u != null) {
                        extra.add(UNIX_TYPE + " " + u.type()); // restore needs it for socketpair(2)
                    }
                }
                default -> {
                }
            }
            List<FileDescription.Holder> holders = new ArrayList<>();
            for (Seen m : g.members) {
                holders.add(new FileDescription.Holder(m.pid(), m.info().fd()));
                idOf.put(m, id);
            }
            descriptions.add(new FileDescription(id, kind, info.target(), s.flags(), info.pos(), s.identity(), s.pid(),
                    holders, pipeRef, pipeBytes, eventfd, peer, extra));
        }
        List<FileTable.ProcessFds> processes = new ArrayList<>();
        for (Map.Entry<Integer, List<Seen>> e : perProcess.entrySet()) {
            List<FileTable.FdRef> refs = new ArrayList<>();
            for (Seen s : e.getValue()) {
                refs.add(new FileTable.FdRef(s.info().fd(), Objects.requireNonNull(idOf.get(s)),
                        s.info().closeOnExec()));
            }
            processes.add(new FileTable.ProcessFds(e.getKey(), refs));
        }
        return new FileTable(FileTable.PRIORITY_RULE, descriptions, processes, pipeData);
    }

    /** stat(2) of the fd's magic link (following it to the open file), with the mount id from fdinfo. */
    static FileIdentity identity(int pid, FdInfo info) throws IOException {
        Path link = Path.of("/proc", Integer.toString(pid), "fd", Integer.toString(info.fd()));
        Map<String, Object> a = Files.readAttributes(link, "unix:dev,ino,mode,rdev,size");
        return new FileIdentity((Long) a.get("dev"), (Long) a.get("ino"), (Integer) a.get("mode"),
                (Long) a.get("rdev"), (Long) a.get("size"), info.mntId());
    }

    static FileKind kind(FdInfo info, FileIdentity id) {
        String t = info.target();
        if (t.startsWith("pipe:[")) {
            return FileKind.PIPE;
        }
        if (t.equals("anon_inode:[eventfd]")) {
            return FileKind.EVENTFD;
        }
        if (t.startsWith("anon_inode:")) {
            return FileKind.ANON_INODE;
        }
        switch (id.type()) {
            case S_IFREG:
                return FileKind.REGULAR;
            case S_IFDIR:
                return FileKind.DIRECTORY;
            case S_IFIFO:
                return FileKind.FIFO;
            case S_IFBLK:
                return FileKind.BLOCK_DEVICE;
            case S_IFSOCK:
                return FileKind.SOCKET; // refined to UNIX_SOCKET in read() when sock_diag knows the inode
            case S_IFCHR: {
                int major = id.rdevMajor();
                if (major == 1 && id.rdevMinor() == 3) {
                    return FileKind.DEV_NULL;
                }
                if (major == 136 || major == 4) {
                    return FileKind.TERMINAL;
                }
                return FileKind.CHAR_DEVICE;
            }
            default:
                return FileKind.OTHER;
        }
    }

    /** fdinfo's {@code eventfd-count:} is printed in hex ("%16llx"). */
    static long eventfdCount(FdInfo info) {
        for (String line : info.extra()) {
            if (line.startsWith("eventfd-count:")) {
                return Long.parseUnsignedLong(line.substring("eventfd-count:".length()).trim(), 16);
            }
        }
        return 0;
    }
}
