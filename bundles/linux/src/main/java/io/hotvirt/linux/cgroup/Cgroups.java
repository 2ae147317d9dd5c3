package io.hotvirt.linux.cgroup;

import io.hotvirt.linux.proc.CgroupEntry;
import io.hotvirt.linux.proc.ProcStat;
import io.hotvirt.linux.proc.Procfs;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The cgroup hierarchies of this machine and hotvirt's cgroups in them.
 *
 * <p>hotvirt only ever creates, changes and removes cgroups under the paths it is given (such as
 * {@code hotvirt/w1}). Outside them it does two things: it writes a pid back into the cgroup.procs
 * of the cgroup the process came from, and on cgroup v2 it enables missing controllers in the
 * root's cgroup.subtree_control so that hotvirt's cgroups can have them.
 */
public final class Cgroups {

    /** v1 hierarchies hotvirt puts domains in (each mounted one). */
    static final List<String> MANAGED_V1 = List.of("cpu", "cpuacct", "cpuset", "memory", "pids", "freezer");
    /** v2 controllers hotvirt enables for its cgroups where available. */
    static final List<String> MANAGED_V2 = List.of("cpu", "cpuset", "memory", "pids", "io");

    private static final Path MOUNTINFO = Path.of("/proc/self/mountinfo");
    private static final Path PROC_CGROUPS = Path.of("/proc/cgroups");

    private final CgroupMode mode;
    private final List<Hierarchy> managed;

    Cgroups(CgroupMode mode, List<Hierarchy> managed) {
        this.mode = mode;
        this.managed = List.copyOf(managed);
    }

    /**
     * Finds the mounted hierarchies in /proc/self/mountinfo. V1 when any controller hotvirt manages
     * is mounted as a v1 hierarchy (also on hybrid machines, whose cgroup2 mount then has no useful
     * controllers), else V2.
     *
     * @throws IOException if no cgroup filesystem is mounted
     */
    public static Cgroups detect() throws IOException {
        Set<String> known = new HashSet<>();
        for (String line : Files.readAllLines(PROC_CGROUPS)) {
            if (!line.startsWith("#") && !line.isBlank()) {
                known.add(line.split("\\s+")[0]);
            }
        }
        List<CgroupMount> mounts = CgroupMount.parse(Files.readString(MOUNTINFO), known);
        CgroupMode mode = mode(mounts);
        if (mode == CgroupMode.V1) {
            return new Cgroups(mode, v1Hierarchies(mounts));
        }
        CgroupMount v2 = mounts.stream().filter(m -> m.v2() && m.mountPoint().equals(Path.of("/sys/fs/cgroup")))
                .findFirst().orElseGet(() -> mounts.stream().filter(CgroupMount::v2).findFirst().orElseThrow());
        return v2(v2.mountPoint(), v2.root());
    }

    /** cgroup v2 mounted at {@code mountPoint}. */
    static Cgroups v2(Path mountPoint, String root) throws IOException {
        String list = CgroupIo.read(mountPoint.resolve("cgroup.controllers")).strip();
        return new Cgroups(CgroupMode.V2, List.of(new Hierarchy("", list.isEmpty() ? List.of() : List.of(list.split(" ")),
                mountPoint, root, true)));
    }

    /** Every cgroup2 mount point in /proc/self/mountinfo (for tests of the v2 code on hybrid machines). */
    static List<Path> v2MountPoints() throws IOException {
        return CgroupMount.parse(Files.readString(MOUNTINFO), Set.of()).stream().filter(CgroupMount::v2)
                .map(CgroupMount::mountPoint).toList();
    }

    /** The mode the mounts call for; see {@link #detect()}. */
    static CgroupMode mode(List<CgroupMount> mounts) throws IOException {
        for (CgroupMount m : mounts) {
            if (!m.v2() && m.controllers().stream().anyMatch(MANAGED_V1::contains)) {
                return CgroupMode.V1;
            }
        }
        if (mounts.stream().anyMatch(CgroupMount::v2)) {
            return CgroupMode.V2;
        }
        throw new IOException("no cgroup filesystem is mounted (see /proc/self/mountinfo) — hotvirt needs cgroup v2"
                + " at /sys/fs/cgroup or the v1 controller hierarchies (cpu, memory, pids, freezer …)");
    }

    /** One hierarchy per mounted v1 hierarchy with a managed controller, the first mount of each. */
    static List<Hierarchy> v1Hierarchies(List<CgroupMount> mounts) {
        Map<String, Hierarchy> byKey = new LinkedHashMap<>();
        for (CgroupMount m : mounts) {
            if (m.v2() || m.controllers().stream().noneMatch(MANAGED_V1::contains)) {
                continue;
            }
            Hierarchy seen = byKey.get(m.key());
            // a hierarchy mounted twice (bind mounts): prefer the mount of its whole tree
            if (seen == null || (!seen.root().equals("/") && m.root().equals("/"))) {
                byKey.put(m.key(), new Hierarchy(m.key(), m.controllers(), m.mountPoint(), m.root(), false));
            }
        }
        return new ArrayList<>(byKey.values());
    }

    public CgroupMode mode() {
        return mode;
    }

    /** The mount point of each hierarchy hotvirt manages, by key ("" for v2). */
    public Map<String, Path> mounts() {
        Map<String, Path> out = new LinkedHashMap<>();
        for (Hierarchy h : managed) {
            out.put(h.key(), h.mountPoint());
        }
        return out;
    }

    /**
     * Creates the cgroup (and the levels above it that are missing) in every managed hierarchy, or
     * opens it if it exists.
     *
     * @param relativePath e.g. {@code "hotvirt/w1"}: relative to the hierarchy roots, plain names only
     */
    public DomainCgroup create(String relativePath) throws IOException {
        String path = normalize(relativePath);
        String[] levels = path.split("/");
        for (Hierarchy h : managed) {
            if (h.v2()) {
                createV2(h, levels);
            } else {
                createV1(h, levels);
            }
        }
        return new ManagedCgroup(path, managed, mode);
    }

    /** v1 cpuset starts a new cgroup with empty cpus and mems, which refuses tasks: copy them down. */
    private static void createV1(Hierarchy h, String[] levels) throws IOException {
        String at = "";
        for (String level : levels) {
            Path parent = h.dir(at);
            at = at.isEmpty() ? level : at + "/" + level;
            Path dir = h.dir(at);
            CgroupIo.mkdir(dir);
            if (h.has("cpuset")) {
                for (String file : List.of("cpuset.cpus", "cpuset.mems")) {
                    if (CgroupIo.read(dir.resolve(file)).isBlank()) {
                        CgroupIo.write(dir.resolve(file), CgroupIo.read(parent.resolve(file)).strip());
                    }
                }
            }
        }
    }

    /**
     * v2: a controller is usable in a cgroup only if its parent lists it in cgroup.subtree_control.
     * Enable the managed ones top-down: in the root only those missing, and in hotvirt's own
     * intermediate levels. The domain's own cgroup is a leaf (processes live only there, as v2's
     * "no internal processes" rule wants), so its subtree_control stays empty.
     */
    private static void createV2(Hierarchy h, String[] levels) throws IOException {
        String at = "";
        for (String level : levels) {
            enableControllers(h.dir(at));
            at = at.isEmpty() ? level : at + "/" + level;
            CgroupIo.mkdir(h.dir(at));
        }
    }

    private static void enableControllers(Path dir) throws IOException {
        Set<String> available = Set.of(CgroupIo.read(dir.resolve("cgroup.controllers")).strip().split(" "));
        Set<String> enabled = Set.of(CgroupIo.read(dir.resolve("cgroup.subtree_control")).strip().split(" "));
        for (String controller : MANAGED_V2) {
            if (available.contains(controller) && !enabled.contains(controller)) {
                try {
                    CgroupIo.write(dir.resolve("cgroup.subtree_control"), "+" + controller);
                } catch (IOException e) {
                    // a controller the kernel refuses here (EBUSY, EINVAL, EOPNOTSUPP: e.g. cpu with
                    // real-time tasks around) is left out: the domain works without it, and the
                    // capability needing it reports that. Permission problems stop everything.
                    if (e.getMessage().contains("permission denied") || e.getMessage().contains("read-only")) {
                        throw e;
                    }
                }
            }
        }
    }

    /** The cgroup if it exists in any managed hierarchy. */
    public Optional<DomainCgroup> open(String relativePath) {
        ManagedCgroup cgroup = new ManagedCgroup(normalize(relativePath), managed, mode);
        return cgroup.exists() ? Optional.of(cgroup) : Optional.empty();
    }

    /** Where the process is now, in every hierarchy (keys as in {@link CgroupOrigin}). */
    public CgroupOrigin originOf(int pid) throws IOException {
        List<CgroupEntry> entries = Procfs.cgroups(pid);
        if (entries.isEmpty()) {
            throw new IOException("reading /proc/" + pid + "/cgroup: process " + pid + " does not exist (it has exited)");
        }
        Map<String, String> paths = new LinkedHashMap<>();
        for (CgroupEntry e : entries) {
            paths.put(e.key(), e.path());
        }
        return new CgroupOrigin(paths);
    }

    /**
     * Moves the process back to where {@code origin} says, in each hierarchy hotvirt manages; to
     * the root where the origin has no entry (or is null). If the original cgroup was removed
     * meanwhile, the process goes to its nearest surviving ancestor.
     */
    public void restore(int pid, CgroupOrigin origin) throws IOException {
        Map<String, String> paths = origin == null ? Map.of() : origin.pathByHierarchy();
        for (Hierarchy h : managed) {
            Path dir = h.dirOfCgroupPath(lookup(paths, h));
            while (!Files.isDirectory(dir) && dir.startsWith(h.mountPoint()) && !dir.equals(h.mountPoint())) {
                dir = dir.getParent();
            }
            CgroupIo.write(dir.resolve("cgroup.procs"), Integer.toString(pid));
        }
    }

    /** The path for hierarchy h: by its key, else by any entry sharing a controller, else the root. */
    private static String lookup(Map<String, String> paths, Hierarchy h) {
        String exact = paths.get(h.key());
        if (exact != null) {
            return exact;
        }
        for (Map.Entry<String, String> e : paths.entrySet()) {
            if (!e.getKey().isEmpty() && !h.v2()) {
                for (String controller : e.getKey().split(",")) {
                    if (h.controllers().contains(controller)) {
                        return e.getValue();
                    }
                }
            }
        }
        return "/";
    }

    /**
     * Moves every live process out of {@code from} to {@code fallback}, scanning again while the
     * processes fork. Returns how many moved.
     */
    public int restoreAll(DomainCgroup from, CgroupOrigin fallback) throws IOException {
        int moved = 0;
        for (int scan = 0; scan < 20; scan++) {
            List<Integer> live = new ArrayList<>();
            for (int pid : from.pids()) {
                if (!Procfs.stat(pid).map(ProcStat::dead).orElse(true)) {
                    live.add(pid);
                }
            }
            if (live.isEmpty()) {
                return moved;
            }
            for (int pid : live) {
                try {
                    restore(pid, fallback);
                    moved++;
                } catch (IOException e) {
                    if (Procfs.stat(pid).map(s -> !s.dead()).orElse(false)) {
                        throw e;
                    } // it exited meanwhile
                }
            }
        }
        throw new IOException("processes in cgroup " + from.path() + " keep forking faster than they can be moved"
                + " out; try again when they are quieter");
    }

    /** "hotvirt/w1" from "hotvirt/w1", "/hotvirt/w1/"; rejects "..", empty and odd names. */
    static String normalize(String relativePath) {
        String p = relativePath == null ? "" : relativePath.strip();
        while (p.startsWith("/")) {
            p = p.substring(1);
        }
        while (p.endsWith("/")) {
            p = p.substring(0, p.length() - 1);
        }
        if (p.isEmpty()) {
            throw new IllegalArgumentException("empty cgroup path: hotvirt never manages a hierarchy's root");
        }
        for (String level : p.split("/")) {
            if (level.isEmpty() || level.equals(".") || level.equals("..")
                    || !level.matches("[A-Za-z0-9_.@+-]+")) {
                throw new IllegalArgumentException("invalid cgroup path '" + relativePath
                        + "': use names of letters, digits and _ . @ + - separated by /");
            }
        }
        return p;
    }
}
