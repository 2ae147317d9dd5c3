package io.hotvirt.checkpoint.restore;

import com.google.gson.Gson;
import com.google.gson.JsonParseException;
import io.hotvirt.checkpoint.DomainCheckpointer;
import io.hotvirt.checkpoint.files.FileDescription;
import io.hotvirt.checkpoint.files.FileTable;
import io.hotvirt.checkpoint.image.ImageFiles;
import io.hotvirt.checkpoint.image.ImageFormat;
import io.hotvirt.checkpoint.tree.Credentials;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * Puts the open files of a domain back into its restoring processes, which arrive with no fd open
 * and stay stopped throughout. Following {@link FileTable#PRIORITY_RULE}, each open file description
 * is made once, in its owner ({@link FileCreator}); then every process installs its fds: from a
 * description parked in itself with dup3, else taken from the owner with pidfd_open + pidfd_getfd,
 * so all holders share one description (and one offset) again. Last, every temporary is closed and
 * each process is checked to hold exactly the fds of the image.
 *
 * <p>Errors name the process, fd, kind and path, and the failing syscall. On failure temporaries
 * may remain: the caller kills every restoring process anyway.
 */
public final class FileRestorer {

    private static final Gson GSON = new Gson();

    private final FileTable table;
    private final Map<Integer, RestoringProcess> processes;
    private final Map<Integer, Credentials> identities;

    /**
     * @param processes  by PID as the image numbers them (which is the PID inside their PID namespace)
     * @param identities the saved credentials of each, by the same PID: every file is opened as its
     *                   owner's saved file-system identity ({@link FsIdentity}); absent: as root
     */
    public FileRestorer(FileTable table, Map<Integer, RestoringProcess> processes,
                        Map<Integer, Credentials> identities) {
        this.table = table;
        this.processes = Map.copyOf(processes);
        this.identities = Map.copyOf(identities);
    }

    /** Processes whose saved identity is root. */
    public FileRestorer(FileTable table, Map<Integer, RestoringProcess> processes) {
        this(table, processes, Map.of());
    }

    /** Reads {@code files.json} of an image and the pipe data files it names. */
    public static FileTable load(Path image) throws IOException {
        Path file = image.resolve(ImageFormat.FILES);
        DomainCheckpointer.FilesRecord r;
        try {
            r = GSON.fromJson(Files.readString(file, StandardCharsets.UTF_8), DomainCheckpointer.FilesRecord.class);
        } catch (JsonParseException | NullPointerException e) {
            throw new IOException(file + " is not valid: " + e.getMessage(), e);
        }
        if (r == null || r.descriptions() == null || r.processes() == null) {
            throw new IOException(file + " is empty or incomplete");
        }
        Map<String, byte[]> data = new HashMap<>();
        Map<String, String> files = r.pipeDataFiles() == null ? Map.of() : r.pipeDataFiles();
        for (Map.Entry<String, String> e : files.entrySet()) {
            if (!e.getValue().equals(ImageFormat.pipeDataFile(e.getKey())) || e.getValue().contains("/")
                    || e.getValue().startsWith(".")) {
                throw new IOException(file + " names the pipe data of " + e.getKey() + " '" + e.getValue()
                        + "', not " + ImageFormat.pipeDataFile(e.getKey()));
            }
            data.put(e.getKey(), ImageFiles.read(image, e.getValue()));
        }
        for (FileDescription d : r.descriptions()) {
            byte[] b = d.pipeData() == null ? null : data.get(d.pipeData());
            if (d.pipeBytes() != 0 && (b == null || b.length != d.pipeBytes())) {
                throw new IOException(file + ": description " + d.id() + " (" + d.path() + ") had " + d.pipeBytes()
                        + " bytes in flight, the image holds " + (b == null ? "none" : b.length));
            }
        }
        return new FileTable(r.priorityRule(), r.descriptions(), r.processes(), data);
    }

    /** Restores every fd of every process of the table. */
    public void restore() throws IOException {
        Map<Integer, FdSpace> spaces = spaces();
        Map<Integer, Integer> parked = new FileCreator(table, spaces).createAll();
        for (FileTable.ProcessFds p : table.processes()) {
            FdSpace space = spaces.get(p.pid());
            Map<Integer, Integer> here = new HashMap<>(); // description id -> an fd of it in this process
            for (FileTable.FdRef f : p.fds()) {
                FileDescription d = table.description(f.descriptionId());
                try {
                    install(space, d, f, parked, here);
                } catch (IOException e) {
                    throw new IOException("restoring process " + p.pid() + " fd " + f.fd() + " (" + d.kind() + " "
                            + d.path() + ", owned by process " + d.ownerPid() + "): " + e.getMessage(), e);
                }
            }
        }
        for (FdSpace s : spaces.values()) {
            s.closeTemporaries();
        }
        for (FileTable.ProcessFds p : table.processes()) {
            verify(spaces.get(p.pid()), p);
        }
    }

    private static void install(FdSpace space, FileDescription d, FileTable.FdRef f, Map<Integer, Integer> parked,
                                Map<Integer, Integer> here) throws IOException {
        Integer src = here.get(d.id());
        if (src == null && d.ownerPid() == space.imagePid) {
            src = parked.get(d.id());
        }
        if (src != null) {
            space.install(src, f.fd(), f.closeOnExec());
        } else {
            int got = space.receive(d.ownerPid(), parked.get(d.id()));
            space.install(got, f.fd(), f.closeOnExec());
            if (got != f.fd()) {
                space.close(got);
            }
        }
        here.putIfAbsent(d.id(), f.fd());
    }

    /** One {@link FdSpace} per process, parking above the highest fd the image gives it. */
    private Map<Integer, FdSpace> spaces() throws IOException {
        Map<Integer, FdSpace> spaces = new TreeMap<>();
        for (FileTable.ProcessFds p : table.processes()) {
            RestoringProcess rp = processes.get(p.pid());
            if (rp == null) {
                throw new IOException("the image has the open files of process " + p.pid()
                        + ", which is not being restored");
            }
            int top = p.fds().stream().mapToInt(FileTable.FdRef::fd).max().orElse(-1);
            spaces.put(p.pid(), new FdSpace(rp, p.pid(), identities.get(p.pid()), Math.max(top + 1, 3)));
        }
        return spaces;
    }

    /** Exactly the fds of the image: no temporary left, none missing. */
    private static void verify(FdSpace space, FileTable.ProcessFds p) throws IOException {
        Set<Integer> want = p.fds().stream().map(FileTable.FdRef::fd).collect(Collectors.toCollection(TreeSet::new));
        Set<Integer> have;
        try (Stream<Path> s = Files.list(space.procFd(0).getParent())) {
            have = s.map(x -> Integer.parseInt(x.getFileName().toString())).collect(Collectors.toCollection(TreeSet::new));
        }
        if (!have.equals(want)) {
            throw new IOException("process " + p.pid() + " holds fds " + have + " after restoring its files, the image "
                    + List.copyOf(want));
        }
    }
}
