package io.hotvirt.core;

import io.hotvirt.api.Capability;
import io.hotvirt.api.Domain;
import io.hotvirt.api.DomainInfo;
import io.hotvirt.api.DomainOrigin;
import io.hotvirt.api.DomainService;
import io.hotvirt.api.DomainState;
import io.hotvirt.api.ProcessInfo;
import io.hotvirt.core.registry.DomainRecord;
import io.hotvirt.core.registry.DomainRegistry;
import io.hotvirt.linux.cgroup.CgroupOrigin;
import io.hotvirt.linux.cgroup.Cgroups;
import io.hotvirt.linux.cgroup.DomainCgroup;
import io.hotvirt.linux.proc.ProcStat;
import io.hotvirt.linux.proc.Procfs;
import io.hotvirt.linux.process.ChildExits;
import io.hotvirt.linux.process.RunAs;
import io.hotvirt.linux.process.Signals;
import io.hotvirt.linux.process.SpawnRequest;
import io.hotvirt.linux.process.Spawner;
import org.osgi.framework.BundleContext;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Collectors;

/**
 * The monitor: makes, tracks and ends domains, keeps the registry on disk, and applies every
 * {@link Capability} service to every live domain (the whiteboard). Stopping this component leaves
 * every process running and every cgroup in place; starting it again re-attaches to them.
 */
@Component(service = DomainService.class, immediate = true)
public final class DomainMonitor implements DomainService {

    private static final Logger LOG = LoggerFactory.getLogger(DomainMonitor.class);
    /** How long a launched command may take to join its cgroup before the launch is called failed. */
    private static final long JOIN_TIMEOUT_MILLIS = 5_000;

    private final Object lock = new Object();
    private final BundleContext context;
    private final Cgroups cgroups;
    private final String cgroupRoot;
    private final Path logDir;
    private final DomainRegistry registry;
    /** Reaps the roots, also while this component is stopped (it lives in the linux bundle). */
    private final ChildExits childExits;
    /** Roots this component listens for: detached when it stops, so their exits are kept for the next start. */
    private final Set<Integer> watched = ConcurrentHashMap.newKeySet();
    private final TreeMover mover;
    private final Whiteboard whiteboard = new Whiteboard();
    /** Exit statuses just reaped, seen without the lock by a launch waiting for its process to join. */
    private final Map<Integer, Integer> exits = new ConcurrentHashMap<>();
    private static final int UNKNOWN_STATUS = Integer.MIN_VALUE;
    /** Roots whose exit the reaper has yet to report: their domain is not called exited before it does. */
    private final Set<Integer> awaitingExit = ConcurrentHashMap.newKeySet();
    private volatile boolean active;

    @Activate
    public DomainMonitor(BundleContext context, @Reference ChildExits childExits) throws IOException {
        this.context = context;
        this.childExits = childExits;
        Path data = HotvirtPaths.dataDir(context);
        this.cgroupRoot = HotvirtPaths.cgroupRoot();
        this.logDir = data.resolve("logs");
        Files.createDirectories(logDir);
        this.cgroups = Cgroups.detect();
        this.registry = DomainRegistry.open(data.resolve("domains.json"));
        this.mover = new TreeMover(cgroups);
        synchronized (lock) {
            for (DomainRecord record : registry.all()) {
                reattach(record);
            }
            active = true;
        }
        LOG.info("hotvirt monitor started: {} domains, cgroup {} under {}", registry.all().size(), cgroups.mode(),
                cgroupRoot);
    }

    @Deactivate
    void deactivate() {
        synchronized (lock) {
            active = false;
        }
        for (int pid : watched) {
            childExits.detach(pid); // reaped on without us; the status waits for the next start
        }
        watched.clear();
    }

    @Reference(cardinality = ReferenceCardinality.MULTIPLE, policy = ReferencePolicy.DYNAMIC)
    void bindCapability(Capability capability) {
        synchronized (lock) {
            whiteboard.add(capability);
            for (DomainRecord record : registry.all()) {
                if (!refresh(record).exited()) {
                    whiteboard.virtualize(capability, handle(record.name()));
                }
            }
        }
    }

    void unbindCapability(Capability capability) {
        synchronized (lock) {
            Set<String> held = whiteboard.remove(capability);
            if (!active || containerStopping()) {
                return; // hotvirt itself is going down, not the capability: domains stay virtualized
            }
            for (String name : held) {
                Whiteboard.devirtualize(capability, handle(name));
            }
        }
    }

    @Override
    public DomainInfo launch(String name, List<String> command, String user) throws IOException {
        DomainNames.check(name);
        if (command == null || command.isEmpty()) {
            throw new IllegalArgumentException("no command given: domain:launch NAME -- COMMAND [ARGS...]");
        }
        RunAs runAs = user == null ? null : RunAs.lookup(user);
        synchronized (lock) {
            ensureFree(name);
            ensureCgroupFree(name, 0);
            CgroupOrigin home = cgroups.originOf(Math.toIntExact(ProcessHandle.current().pid()));
            DomainCgroup cgroup = cgroups.create(cgroupPath(name));
            Path log = logDir.resolve(name + ".log");
            int pid;
            try {
                pid = Spawner.spawn(new SpawnRequest(command, null, log, cgroup.procsFiles(), runAs));
            } catch (IOException | RuntimeException e) {
                removeQuietly(cgroup);
                throw e;
            }
            // our child, so only we reap it: its stat (zombie or not) is there until the watch reaps it
            long startTicks = Procfs.stat(pid).map(ProcStat::startTimeTicks).orElse(0L);
            watchRoot(name, pid, startTicks);
            try {
                awaitJoin(name, pid, cgroup, log);
            } catch (IOException e) {
                killQuietly(pid); // never leave a half-launched process running outside any domain
                removeQuietly(cgroup);
                throw e;
            }
            DomainRecord record = new DomainRecord(name, DomainOrigin.LAUNCHED, pid, startTicks, command,
                    System.currentTimeMillis(), cgroup.path(), log.toString(), false, exitStatus(exits.get(pid)),
                    Map.of(), home, Map.of());
            registry.put(record);
            whiteboard.virtualizeAll(handle(name));
            LOG.info("launched domain {}: pid {} {} as {}", name, pid, command,
                    runAs == null ? System.getProperty("user.name") : runAs.user());
            return describe(record);
        }
    }

    @Override
    public DomainInfo adopt(String name, int pid) throws IOException {
        return adopt(name, pid, DomainOrigin.ADOPTED, null, Map.of());
    }

    @Override
    public DomainInfo restored(String name, int pid, List<String> command, Map<String, Map<String, String>> settings)
            throws IOException {
        return adopt(name, pid, DomainOrigin.RESTORED, command, settings);
    }

    private DomainInfo adopt(String name, int pid, DomainOrigin origin, List<String> command,
                             Map<String, Map<String, String>> settings) throws IOException {
        DomainNames.check(name);
        Map<String, Map<String, String>> saved = copySettings(settings);
        synchronized (lock) {
            ensureFree(name);
            ProcStat stat = AdoptionGuard.check(pid, name, cgroupRoot, owner -> registry.get(owner).map(DomainRecord::rootPid));
            ensureCgroupFree(name, pid);
            CgroupOrigin home = cgroups.originOf(pid);
            if (TreeMover.inside(home, cgroupPath(name))) { // taking back the leftovers of a lost domain of this name
                home = cgroups.originOf(Math.toIntExact(ProcessHandle.current().pid()));
            }
            DomainCgroup cgroup = cgroups.create(cgroupPath(name));
            Map<Integer, CgroupOrigin> homes;
            try {
                homes = mover.adopt(pid, cgroup, home);
            } catch (IOException | RuntimeException e) {
                removeQuietly(cgroup);
                throw e;
            }
            // the settings go into the record before the whiteboard runs: virtualize applies what is stored
            DomainRecord record = new DomainRecord(name, origin, pid, stat.startTimeTicks(),
                    command != null ? List.copyOf(command) : Procfs.cmdline(pid), System.currentTimeMillis(), cgroup.path(), null, false, null, homes, home,
                    saved);
            registry.put(record);
            watchRoot(name, pid, stat.startTimeTicks());
            whiteboard.virtualizeAll(handle(name));
            LOG.info("{} domain {}: {} processes from pid {}{}", origin == DomainOrigin.RESTORED ? "restored" : "adopted",
                    name, homes.size(), pid, saved.isEmpty() ? "" : ", settings of " + saved.keySet());
            return describe(record);
        }
    }

    /** An immutable copy without empty entries; null keys or values are refused before anything is made. */
    private static Map<String, Map<String, String>> copySettings(Map<String, Map<String, String>> settings) {
        Map<String, Map<String, String>> copy = new TreeMap<>();
        if (settings != null) {
            settings.forEach((capability, values) -> {
                if (capability == null) {
                    throw new IllegalArgumentException("settings without a capability name: " + settings);
                }
                if (values != null && !values.isEmpty()) {
                    try {
                        copy.put(capability, Map.copyOf(values));
                    } catch (NullPointerException e) {
                        throw new IllegalArgumentException("settings of " + capability + " hold a null: " + values, e);
                    }
                }
            });
        }
        return Map.copyOf(copy);
    }

    @Override
    public int release(String name) throws IOException {
        synchronized (lock) {
            DomainRecord record = running(name);
            whiteboard.devirtualizeAll(handle(name));
            DomainCgroup cgroup = cgroups.open(record.cgroup()).orElse(null);
            int moved = 0;
            if (cgroup != null) {
                moved = mover.sendHome(cgroup, record.homeCgroups(), record.defaultHome());
                removeQuietly(cgroup);
            }
            registry.remove(name);
            LOG.info("released domain {}: {} processes run on outside hotvirt", name, moved);
            return moved;
        }
    }

    @Override
    public int kill(String name, int signal) throws IOException {
        synchronized (lock) {
            DomainRecord record = running(name);
            DomainCgroup cgroup = cgroups.open(record.cgroup())
                    .orElseThrow(() -> new IOException("cgroup " + record.cgroup() + " of domain " + name
                            + " has disappeared: domain:remove " + name + " forgets the domain"));
            return cgroup.signal(signal);
        }
    }

    @Override
    public void remove(String name) throws IOException {
        synchronized (lock) {
            DomainRecord record = refresh(existing(name));
            if (!record.exited()) {
                throw new IllegalStateException("domain " + name + " is still running: domain:kill " + name
                        + " ends it, domain:release " + name + " gives it back to the host");
            }
            registry.remove(name);
        }
    }

    @Override
    public List<DomainInfo> list() {
        synchronized (lock) {
            List<DomainInfo> infos = new ArrayList<>();
            for (DomainRecord record : registry.all()) {
                infos.add(describe(record));
            }
            return infos;
        }
    }

    @Override
    public Optional<DomainInfo> find(String name) {
        synchronized (lock) {
            return registry.get(name).map(this::describe);
        }
    }

    @Override
    public List<ProcessInfo> processTree(String name) {
        synchronized (lock) {
            try {
                return ProcessTrees.build(pids(refresh(existing(name))));
            } catch (IOException e) {
                throw new IllegalStateException("cannot read the processes of domain " + name + ": "
                        + e.getMessage(), e);
            }
        }
    }

    @Override
    public Optional<Domain> domain(String name) {
        synchronized (lock) {
            return registry.get(name).map(r -> handle(r.name()));
        }
    }

    // ---- for LiveDomain ----

    DomainRecord record(String name) {
        synchronized (lock) {
            return existing(name);
        }
    }

    Set<Integer> pids(DomainRecord record) throws IOException {
        if (record.exited()) {
            return Set.of();
        }
        Optional<DomainCgroup> cgroup = cgroups.open(record.cgroup());
        if (cgroup.isEmpty()) {
            return Set.of();
        }
        Set<Integer> pids = new TreeSet<>(cgroup.get().pids());
        pids.removeIf(pid -> !TreeMover.living(pid));
        return pids;
    }

    void saveSettings(String name, String capability, Map<String, String> settings) throws IOException {
        synchronized (lock) {
            registry.put(existing(name).withSettings(capability, settings));
        }
    }

    // ---- internals; callers hold the lock ----

    private boolean containerStopping() {
        try {
            return context.getBundle(0).getState() == org.osgi.framework.Bundle.STOPPING;
        } catch (IllegalStateException e) {
            return true; // our context is already invalid: we are being stopped with the rest
        }
    }

    private Domain handle(String name) {
        return new LiveDomain(this, name);
    }

    private String cgroupPath(String name) {
        return cgroupRoot + "/" + name;
    }

    private DomainRecord existing(String name) {
        return registry.get(name).orElseThrow(() -> new IllegalArgumentException(
                "no domain named '" + name + "' (domain:list shows the domains)"));
    }

    private DomainRecord running(String name) {
        DomainRecord record = refresh(existing(name));
        if (record.exited()) {
            throw new IllegalStateException("domain " + name + " has exited"
                    + (record.exitStatus() == null ? "" : " with status " + record.exitStatus())
                    + ": domain:remove " + name + " forgets it");
        }
        return record;
    }

    private void ensureFree(String name) {
        registry.get(name).ifPresent(r -> {
            throw new IllegalArgumentException("a domain named '" + name + "' already exists"
                    + (refresh(r).exited() ? " (exited: domain:remove " + name + " forgets it)" : ""));
        });
    }

    /**
     * A cgroup left with processes in it by a domain hotvirt no longer knows (its registry was lost)
     * must not be shared by a new domain of the same name: domain:kill would end both. It becomes
     * usable once its processes are adopted (as this name: {@code adopting} is one of them) or ended.
     */
    private void ensureCgroupFree(String name, int adopting) throws IOException {
        Optional<DomainCgroup> cgroup = cgroups.open(cgroupPath(name));
        if (cgroup.isEmpty()) {
            return;
        }
        Set<Integer> left = new TreeSet<>(cgroup.get().pids());
        left.removeIf(pid -> !TreeMover.living(pid));
        if (left.isEmpty() || left.contains(adopting)) {
            return;
        }
        int root = left.stream().filter(pid -> !left.contains(Procfs.stat(pid).map(ProcStat::ppid).orElse(0)))
                .findFirst().orElse(left.iterator().next());
        List<String> shown = new ArrayList<>();
        for (int pid : left) {
            if (shown.size() == 5) {
                shown.add("…");
                break;
            }
            shown.add(pid + " (" + Procfs.stat(pid).map(ProcStat::comm).orElse("?") + ")");
        }
        String pids = left.stream().map(String::valueOf).collect(Collectors.joining(" "));
        throw new IllegalArgumentException("the name '" + name + "' is taken: its cgroup " + cgroup.get().path()
                + " still holds " + left.size() + (left.size() == 1 ? " process" : " processes")
                + " that no domain knows (left by a domain whose registry entry was lost): " + String.join(", ", shown)
                + ". Take them back with domain:adopt " + name + " " + root + ", or end them (kill -9 " + pids
                + "), then try again");
    }

    /** Waits until a launched process has joined its cgroup, so the launch reports a failed join. */
    private void awaitJoin(String name, int pid, DomainCgroup cgroup, Path log) throws IOException {
        long deadline = System.currentTimeMillis() + JOIN_TIMEOUT_MILLIS;
        while (System.currentTimeMillis() < deadline) {
            if (!Spawner.launching(pid) && cgroup.pids().contains(pid)) {
                return; // exec'd, so it joined every hierarchy
            }
            Integer status = exits.get(pid);
            if (status != null || Procfs.stat(pid).isEmpty()) {
                if (status != null && status == Spawner.JOIN_FAILED) {
                    removeQuietly(cgroup);
                    throw new IOException("domain " + name + " could not join cgroup " + cgroup.path()
                            + ": " + LogTail.read(log));
                }
                return; // ran and ended already: the domain is recorded as exited
            }
            sleep(10);
        }
        throw new IOException("process " + pid + " of domain " + name + " did not join cgroup " + cgroup.path()
                + " within " + JOIN_TIMEOUT_MILLIS + " ms; its log " + log + " says: " + LogTail.read(log));
    }

    private void watchRoot(String name, int pid, long startTicks) {
        awaitingExit.add(pid);
        watched.add(pid);
        childExits.watch(pid, startTicks, status -> onExit(name, pid, status));
    }

    private void onExit(String name, int pid, Integer status) {
        exits.put(pid, status == null ? UNKNOWN_STATUS : status);
        watched.remove(pid);
        synchronized (lock) {
            exits.remove(pid);
            awaitingExit.remove(pid);
            Optional<DomainRecord> owner = registry.get(name).filter(r -> r.rootPid() == pid && r.exitStatus() == null);
            if (owner.isEmpty()) {
                return; // released meanwhile, or a failed launch
            }
            try {
                registry.put(owner.get().withExit(exitStatus(status)));
                refresh(registry.get(owner.get().name()).orElseThrow());
            } catch (IOException e) {
                LOG.warn("cannot record the exit of domain {}: {}", owner.get().name(), e.getMessage());
            }
        }
    }

    private static Integer exitStatus(Integer reaped) {
        return reaped == null || reaped == UNKNOWN_STATUS ? null : reaped;
    }

    /** Re-reads whether a domain still has processes; marks it exited and cleans up when not. */
    private DomainRecord refresh(DomainRecord record) {
        if (record.exited()) {
            return record;
        }
        try {
            return settle(record, pids(record));
        } catch (IOException e) {
            LOG.warn("cannot refresh domain {}: {}", record.name(), e.getMessage());
            return record;
        }
    }

    /** Marks a domain exited and cleans up once {@code pids} (its live processes) is empty. */
    private DomainRecord settle(DomainRecord record, Set<Integer> pids) {
        if (record.exited() || !pids.isEmpty() || awaitingExit.contains(record.rootPid())) {
            return record; // still running, or its root's exit status is on its way from the reaper
        }
        whiteboard.devirtualizeAll(handle(record.name()));
        cgroups.open(record.cgroup()).ifPresent(this::removeQuietly);
        DomainRecord exited = record.asExited();
        try {
            registry.put(exited);
            return exited;
        } catch (IOException e) {
            LOG.warn("cannot refresh domain {}: {}", record.name(), e.getMessage());
            return record;
        }
    }

    /**
     * After a restart: watch every root again before anything is marked exited. A root that died while
     * the monitor was stopped was reaped meanwhile (or is reaped now, if it is still a zombie), and its
     * status comes back from the watch.
     */
    private void reattach(DomainRecord record) {
        if (!record.exited()) {
            watchRoot(record.name(), record.rootPid(), record.rootStartTicks());
        }
        refresh(record);
    }

    /** Refreshes a domain and describes it, reading its processes once. */
    private DomainInfo describe(DomainRecord record) {
        Set<Integer> pids;
        try {
            pids = pids(record);
        } catch (IOException e) {
            LOG.warn("cannot refresh domain {}: {}", record.name(), e.getMessage());
            pids = null;
        }
        DomainRecord current = pids == null ? record : settle(record, pids);
        return new DomainInfo(current.name(), current.origin(), current.rootPid(), current.command(),
                Instant.ofEpochMilli(current.createdMillis()),
                current.exited() ? DomainState.EXITED : DomainState.RUNNING, current.exitStatus(), current.cgroup(),
                current.logFile(), pids == null ? 0 : pids.size(), whiteboard.holding(current.name()),
                current.settings());
    }

    private static void killQuietly(int pid) {
        try {
            Signals.kill(pid, Signals.SIGKILL);
        } catch (IOException e) {
            LOG.debug("cannot kill {}: {}", pid, e.getMessage());
        }
    }

    private void removeQuietly(DomainCgroup cgroup) {
        try {
            cgroup.remove();
        } catch (IOException e) {
            LOG.debug("cannot remove cgroup {}: {}", cgroup.path(), e.getMessage());
        }
    }

    private static void sleep(long millis) throws IOException {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted", e);
        }
    }
}
