package io.hotvirt.checkpoint;

import io.hotvirt.api.DomainInfo;
import io.hotvirt.api.DomainService;
import io.hotvirt.api.DomainState;
import io.hotvirt.checkpoint.restore.DomainRestorer;
import io.hotvirt.linux.cgroup.Cgroups;
import io.hotvirt.linux.cgroup.DomainCgroup;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;

import static io.hotvirt.linux.process.Signals.SIGKILL;

/**
 * Where a restored tree goes: the core adopts it, still stopped, as a {@code RESTORED} domain with
 * the settings saved in the image, and the restorer gets the domain's cgroup to resume it in. If the
 * restore fails after that, {@link #undo} forgets the domain again.
 */
final class RestorePlacement implements DomainRestorer.Placement {

    /** Core's rule for domain names (DomainNames), checked here so a bad --name fails before any work. */
    private static final Pattern VALID_NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9_.-]{0,62}");
    private static final List<String> SLEEP = List.of("/usr/bin/sleep", "/bin/sleep");
    private static final long EXIT_WAIT_MILLIS = 5_000;

    private final DomainService domains;
    private final String name;
    private final Map<String, Map<String, String>> settings;
    private final List<String> command;
    private volatile boolean placed;

    /** @param command the root's command line as the image saved it; null in older images */
    RestorePlacement(DomainService domains, String name, Map<String, Map<String, String>> settings,
                     List<String> command) {
        this.domains = domains;
        this.name = name;
        this.settings = settings;
        this.command = command;
    }

    static String checkName(String name) {
        if (!VALID_NAME.matcher(name).matches()) {
            throw new IllegalArgumentException("invalid domain name '" + name
                    + "': use 1 to 63 letters, digits, '.', '_' or '-', starting with a letter or digit");
        }
        return name;
    }

    /** {@code sleep infinity} by absolute path: the husk is spawned without a PATH search. */
    static List<String> huskCommand() throws IOException {
        for (String sleep : SLEEP) {
            if (Files.isExecutable(Path.of(sleep))) {
                return List.of(sleep, "infinity");
            }
        }
        throw new IOException("no coreutils sleep (looked for " + String.join(", ", SLEEP)
                + "): restore needs it to start its husk processes");
    }

    @Override
    public Optional<DomainCgroup> place(int rootPid) throws IOException {
        DomainInfo info = domains.restored(name, rootPid, command, settings);
        placed = true;
        Optional<DomainCgroup> cgroup = Cgroups.detect().open(info.cgroup());
        if (cgroup.isEmpty()) {
            throw new IOException("domain " + name + " was adopted but its cgroup " + info.cgroup() + " is missing");
        }
        return cgroup;
    }

    /** After a failed restore: the restorer killed the processes; make sure, and forget the domain. */
    void undo(Throwable failure) {
        if (!placed) {
            return;
        }
        boolean interrupted = Thread.interrupted(); // waiting for the exit must not be cut short by it
        try {
            if (domains.find(name).map(d -> d.state() == DomainState.RUNNING).orElse(false)) {
                domains.kill(name, SIGKILL);
            }
            long deadline = System.currentTimeMillis() + EXIT_WAIT_MILLIS;
            while (domains.find(name).map(d -> d.state() == DomainState.RUNNING).orElse(false)) {
                if (System.currentTimeMillis() > deadline) {
                    throw new IOException("domain " + name + " did not exit within " + EXIT_WAIT_MILLIS + " ms");
                }
                Thread.sleep(20);
            }
            if (domains.find(name).isPresent()) {
                domains.remove(name);
            }
        } catch (Exception e) {
            failure.addSuppressed(new IOException("cannot forget the half-restored domain " + name + ": "
                    + e.getMessage() + " (domain:kill / domain:remove " + name + ")", e));
        } finally {
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /** The result under the domain's name (it may differ from the image's), noting saved settings not in force. */
    DomainRestorer.Result withNotes(DomainRestorer.Result r) {
        List<String> notes = new ArrayList<>(r.notes() == null ? List.of() : r.notes());
        List<String> holding = domains.find(name).map(DomainInfo::capabilities).orElse(List.of());
        for (String capability : settings.keySet()) {
            if (!holding.contains(capability)) {
                notes.add("the " + capability + " settings saved in the image " + settings.get(capability)
                        + " are stored but not in force: the " + capability + " capability is not loaded or"
                        + " refused them (see the log)");
            }
        }
        return new DomainRestorer.Result(name, r.rootPid(), r.pids(), r.threads(), r.imagePages(), r.nanos(),
                r.memoryNanos(), r.resumeNanos(), notes);
    }
}
