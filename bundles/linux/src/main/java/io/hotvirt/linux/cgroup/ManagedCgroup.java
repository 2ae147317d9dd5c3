package io.hotvirt.linux.cgroup;

import io.hotvirt.linux.process.Signals;
import io.hotvirt.linux.proc.ProcStat;
import io.hotvirt.linux.proc.Procfs;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

/** A domain's cgroup: the same relative path in each managed hierarchy. */
final class ManagedCgroup implements DomainCgroup {

    /** Without a freezer, signal() re-scans until no new process shows up, at most this often. */
    private static final int MAX_SIGNAL_PASSES = 20;

    private final String path;
    private final List<Hierarchy> hierarchies;
    private final Hierarchy freezerHierarchy; // null if v1 has no freezer mounted
    private final Freezer freezer;

    ManagedCgroup(String path, List<Hierarchy> hierarchies, CgroupMode mode) {
        this.path = path;
        this.hierarchies = List.copyOf(hierarchies);
        if (mode == CgroupMode.V2) {
            this.freezerHierarchy = hierarchies.get(0);
            this.freezer = new Freezer.V2();
        } else {
            this.freezerHierarchy = hierarchies.stream().filter(h -> h.has("freezer")).findFirst().orElse(null);
            this.freezer = new Freezer.V1();
        }
    }

    @Override
    public String path() {
        return path;
    }

    @Override
    public Set<String> controllers() throws IOException {
        Set<String> out = new TreeSet<>();
        for (Hierarchy h : hierarchies) {
            if (h.v2()) {
                String list = CgroupIo.read(h.dir(path).resolve("cgroup.controllers")).strip();
                if (!list.isEmpty()) {
                    out.addAll(List.of(list.split(" ")));
                }
                out.add("freezer"); // cgroup.freeze is part of every non-root v2 cgroup
            } else {
                out.addAll(h.controllers());
            }
        }
        return out;
    }

    @Override
    public void add(int pid) throws IOException {
        // v1: the freezer hierarchy last, so a frozen domain freezes a newcomer only once it is
        // in all the others (v2 has one hierarchy, so this is just the one write)
        List<Hierarchy> order = new ArrayList<>(hierarchies);
        if (order.remove(freezerHierarchy)) {
            order.add(freezerHierarchy);
        }
        for (Hierarchy h : order) {
            CgroupIo.write(h.dir(path).resolve("cgroup.procs"), Integer.toString(pid));
        }
    }

    @Override
    public Set<Integer> pids() throws IOException {
        Set<Integer> out = new TreeSet<>();
        for (Hierarchy h : hierarchies) {
            String text;
            try {
                text = CgroupIo.read(h.dir(path).resolve("cgroup.procs"));
            } catch (NoSuchFileException e) {
                continue; // missing in this hierarchy (removed by hand, or a partial create)
            }
            for (String line : text.split("\n")) {
                if (!line.isBlank()) {
                    out.add(Integer.parseInt(line.strip()));
                }
            }
        }
        return out;
    }

    @Override
    public List<Path> procsFiles() {
        List<Path> out = new ArrayList<>();
        for (Hierarchy h : hierarchies) {
            out.add(h.dir(path).resolve("cgroup.procs"));
        }
        return out;
    }

    @Override
    public Path dir(String controller) {
        for (Hierarchy h : hierarchies) {
            if (h.v2() || h.has(controller)) {
                return h.dir(path);
            }
        }
        throw new IllegalArgumentException("no cgroup hierarchy hotvirt manages has the " + controller
                + " controller (managed: " + hierarchies + ")");
    }

    @Override
    public String read(String controller, String file) throws IOException {
        return CgroupIo.read(dir(controller).resolve(file));
    }

    @Override
    public void write(String controller, String file, String value) throws IOException {
        CgroupIo.write(dir(controller).resolve(file), value);
    }

    @Override
    public void freeze(Duration timeout) throws IOException {
        freezer.freeze(freezerDir(), timeout);
    }

    @Override
    public void thaw() throws IOException {
        freezer.thaw(freezerDir());
    }

    @Override
    public boolean frozen() throws IOException {
        return freezerHierarchy != null && freezer.frozen(freezerDir());
    }

    private Path freezerDir() throws IOException {
        if (freezerHierarchy == null) {
            throw new IOException("cgroup " + path + " cannot be frozen: the v1 freezer controller is not mounted"
                    + " — mount it (mount -t cgroup -o freezer freezer /sys/fs/cgroup/freezer)");
        }
        return freezerHierarchy.dir(path);
    }

    @Override
    public int signal(int sig) throws IOException {
        if (freezerHierarchy == null) {
            return signalWithoutFreezer(sig);
        }
        boolean wasFrozen = frozen();
        freeze();
        try {
            int count = 0;
            for (int pid : pids()) {
                if (kill(pid, sig)) {
                    count++;
                }
            }
            return count;
        } finally {
            if (!wasFrozen) {
                thaw();
            }
        }
    }

    /** Best effort for a v1 machine without a freezer: repeat until a pass finds nobody new. */
    private int signalWithoutFreezer(int sig) throws IOException {
        Set<Integer> done = new LinkedHashSet<>();
        for (int pass = 0; pass < MAX_SIGNAL_PASSES; pass++) {
            Set<Integer> fresh = pids();
            fresh.removeAll(done);
            if (fresh.isEmpty()) {
                break;
            }
            for (int pid : fresh) {
                done.add(pid);
                if (!kill(pid, sig)) {
                    done.remove(pid);
                    done.add(-pid); // remember it without counting it
                }
            }
        }
        return (int) done.stream().filter(p -> p > 0).count();
    }

    /** Signals a live process; false for one that has exited or is a zombie. */
    private static boolean kill(int pid, int sig) throws IOException {
        if (Procfs.stat(pid).map(ProcStat::dead).orElse(true)) {
            return false;
        }
        try {
            Signals.kill(pid, sig);
            return true;
        } catch (IOException e) {
            if (Procfs.stat(pid).isEmpty()) {
                return false; // exited meanwhile
            }
            throw e;
        }
    }

    @Override
    public boolean exists() {
        for (Hierarchy h : hierarchies) {
            if (Files.isDirectory(h.dir(path))) {
                return true;
            }
        }
        return false;
    }

    @Override
    public void remove() throws IOException {
        IOException failure = null;
        for (Hierarchy h : hierarchies) {
            try {
                CgroupIo.rmdir(h.dir(path));
            } catch (IOException e) {
                if (failure == null) {
                    Set<Integer> left = pids();
                    failure = new IOException(e.getMessage() + (left.isEmpty() ? "" : " (processes: " + left + ")"), e);
                } else {
                    failure.addSuppressed(e);
                }
            }
        }
        if (failure != null) {
            throw failure;
        }
    }

    @Override
    public String toString() {
        return "cgroup " + path;
    }
}
