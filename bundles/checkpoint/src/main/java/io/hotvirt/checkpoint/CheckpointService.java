package io.hotvirt.checkpoint;

import io.hotvirt.api.Domain;
import io.hotvirt.api.DomainInfo;
import io.hotvirt.api.DomainService;
import io.hotvirt.api.DomainState;
import io.hotvirt.checkpoint.image.ImageFormat;
import io.hotvirt.checkpoint.image.ImageVerifier;
import io.hotvirt.checkpoint.image.PartialImages;
import io.hotvirt.checkpoint.memory.SwapAreas;
import io.hotvirt.checkpoint.image.NodeKeyStore;
import io.hotvirt.checkpoint.restore.DomainRestorer;
import io.hotvirt.checkpoint.restore.MemoryRestorer;
import io.hotvirt.linux.cgroup.Cgroups;
import io.hotvirt.linux.cgroup.DomainCgroup;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.metatype.annotations.Designate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Checkpoints of the domains the monitor knows, and the images they make: what the
 * {@code checkpoint:*} commands use. Images go under {@code DATA/images} (0700) unless the setting
 * {@code imagesDir} of {@value CheckpointSettings#PID} says otherwise, MAC'ed with the node key
 * {@code DATA/node.key} (0600), where DATA is hotvirt's data directory ({@link DomainService#dataDir()}):
 * outside Karaf's home, so no Karaf subsystem serves the key and no rebuild deletes the images.
 */
@Component(service = CheckpointService.class, configurationPid = CheckpointSettings.PID)
@Designate(ocd = CheckpointConfig.class)
public final class CheckpointService {

    private static final Logger LOG = LoggerFactory.getLogger(CheckpointService.class);
    /** The settings the last activation ran with: a bad value in a changed configuration falls back to them. */
    private static final AtomicReference<CheckpointSettings> APPLIED = new AtomicReference<>(CheckpointSettings.DEFAULTS);
    private static final DateTimeFormatter STAMP = DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss");

    private final DomainService domains;
    private final Path home;
    private final CheckpointSettings settings;
    private final NodeKeyStore keys;
    private final ImageCatalog catalog;
    private final Set<String> busy = ConcurrentHashMap.newKeySet();
    /**
     * The partial image directories of the dumps running now: never swept or deleted under them.
     * Static, so a service reactivated meanwhile (a settings change) does not sweep them either.
     */
    private static final Set<Path> writing = ConcurrentHashMap.newKeySet();
    /** Names of the domains being restored: one restore per name at a time. */
    private final Set<String> restoring = ConcurrentHashMap.newKeySet();

    @Activate
    public CheckpointService(@Reference DomainService domains, CheckpointConfig config) {
        this(domains, domains.dataDir(), CheckpointSettings.read(config, APPLIED.get(), LOG::error));
        APPLIED.set(settings);
        LOG.info("checkpoint images in {}, node key {}", catalog.dir(), keys.file());
    }

    /** With the default settings: images in {@code home/images}, the node key {@code home/node.key}. */
    public CheckpointService(DomainService domains, Path home) {
        this(domains, home, CheckpointSettings.DEFAULTS);
    }

    private CheckpointService(DomainService domains, Path home, CheckpointSettings settings) {
        this.domains = domains;
        this.home = home;
        this.settings = settings;
        this.keys = new NodeKeyStore(home);
        this.catalog = new ImageCatalog(settings.imagesDir(home), keys);
        sweepPartials(); // left by dumps that died with the JVM: they can never become images
        try {
            SwapAreas.observe(); // an empty swap area seen now can be read directly until a zero page is swapped out
        } catch (IOException | RuntimeException e) {
            // only an optimisation: without it swapped pages are read through their processes
        }
    }

    public ImageCatalog catalog() {
        return catalog;
    }

    public Path imagesDir() {
        return catalog.dir();
    }

    /**
     * Checkpoints a running domain.
     *
     * @param dir null for {@code images/<domain>-<yyyyMMdd-HHmmss>}; an existing directory to make
     *            the image inside it under that name; else the image's own path (it must not exist)
     */
    public DomainCheckpointer.Result dump(String name, boolean leaveRunning, String dir,
                                          DomainCheckpointer.Progress progress) throws IOException {
        DomainInfo info = domains.find(name).orElseThrow(() -> new IllegalArgumentException(
                "no domain named '" + name + "' (domain:list shows the domains)"));
        if (info.state() != DomainState.RUNNING) {
            throw new IllegalArgumentException("domain " + name + " has exited: there is nothing to checkpoint");
        }
        Domain domain = domains.domain(name).orElseThrow(() -> new IllegalArgumentException(
                "no domain named '" + name + "' (domain:list shows the domains)"));
        DomainCgroup cgroup = Cgroups.detect().open(domain.cgroup()).orElseThrow(() -> new IOException(
                "domain " + name + " has no cgroup " + domain.cgroup() + " any more"));
        Path parent;
        String imageName;
        String stamp = name + "-" + LocalDateTime.now().format(STAMP);
        if (dir == null) {
            parent = catalog.dir();
            ensurePrivateDir(parent);
            imageName = unique(parent, stamp);
        } else {
            Path d = catalog.absolute(dir); // a relative --dir is inside the image directory, as checkpoint:list shows it
            if (Files.isDirectory(d)) {
                parent = d;
                imageName = unique(parent, stamp);
            } else {
                if (d.getParent() == null) {
                    throw new IllegalArgumentException("--dir " + dir + ": not a place for an image");
                }
                parent = d.getParent();
                imageName = d.getFileName().toString();
            }
        }
        if (!busy.add(name)) {
            throw new IllegalStateException("a checkpoint of domain " + name + " is already running");
        }
        Path partial = parent.resolve(ImageFormat.partialName(imageName)).toAbsolutePath().normalize();
        writing.add(partial);
        try {
            return new DomainCheckpointer(keys, DomainCheckpointer.hostName()).checkpoint(name, cgroup, parent,
                    imageName, new DomainCheckpointer.Options(leaveRunning, info.settings(),
                            settings.freezeTimeout(), settings.seizeTimeout()), progress);
        } catch (IOException | RuntimeException | Error e) {
            writing.remove(partial);
            try {
                if (PartialImages.isPartial(partial)) {
                    PartialImages.delete(partial); // the writer removes it on the way out; this is for when it could not
                }
            } catch (IOException | RuntimeException cleanup) {
                e.addSuppressed(cleanup);
            }
            sweepPartials();
            throw e;
        } finally {
            writing.remove(partial);
            busy.remove(name);
        }
    }

    /**
     * Restores a domain from an image: the restorer verifies the image and rebuilds the tree, then
     * the core adopts the stopped tree as a {@code RESTORED} domain with the capability settings
     * saved in the image, and the restorer resumes it. Refuses a name in use before anything is made.
     *
     * @param name null for the image's domain name
     * @param memory how private pages come back ({@link MemoryRestorer.Mode#ZERO_COPY_READ_ONLY} by default)
     */
    public DomainRestorer.Result restore(String image, String name, boolean newPidns, MemoryRestorer.Mode memory,
                                         DomainRestorer.Progress progress) throws IOException {
        Path path = resolve(image);
        DomainCheckpointer.DomainRecord saved = catalog.trustedDomainRecord(path);
        if (name == null && saved.domain() == null) {
            throw new IllegalArgumentException("image " + image + " names no domain: restore it with --name NEW");
        }
        String domain = name != null ? RestorePlacement.checkName(name) : saved.domain();
        if (!restoring.add(domain)) {
            throw new IllegalStateException("a restore of domain " + domain + " is already running");
        }
        try {
            domains.find(domain).ifPresent(d -> {
                throw new IllegalArgumentException("domain " + domain + " exists: restore with --name NEW"
                        + (d.state() == DomainState.EXITED ? " (or domain:remove " + domain + " forgets it)" : ""));
            });
            RestorePlacement placement = new RestorePlacement(domains, domain, saved.settings(), saved.command());
            DomainRestorer.Options options = new DomainRestorer.Options(newPidns, memory);
            DomainRestorer.Result result;
            try {
                result = new DomainRestorer(keys, RestorePlacement.huskCommand()).restore(path, options, placement,
                        progress == null ? DomainRestorer.Progress.NONE : progress);
            } catch (IOException | RuntimeException | Error e) {
                placement.undo(e);
                throw e;
            }
            return placement.withNotes(result);
        } finally {
            restoring.remove(domain);
        }
    }

    private static String unique(Path parent, String base) {
        String name = base;
        for (int i = 2; Files.exists(parent.resolve(name)); i++) {
            name = base + "-" + i;
        }
        return name;
    }

    private static void ensurePrivateDir(Path dir) throws IOException {
        if (!Files.isDirectory(dir)) {
            Files.createDirectories(dir, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
        }
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwx------"));
    }

    public List<ImageCatalog.Entry> list() throws IOException {
        return catalog.list();
    }

    /** The images, and with {@code partial} the partial ones left by dumps that did not finish. */
    public List<ImageCatalog.Entry> list(boolean partial) throws IOException {
        return catalog.list(partial);
    }

    /** Removes the partial images in the image directory that no running dump writes; best effort. */
    private void sweepPartials() {
        try {
            PartialImages.sweep(catalog.dir(), Set.copyOf(writing));
        } catch (IOException | RuntimeException e) {
            // shown by checkpoint:list --all, removed by checkpoint:delete or the next sweep
        }
    }

    public Path resolve(String image) {
        return catalog.resolve(image);
    }

    public ImageCatalog.Content read(String image) throws IOException {
        return catalog.read(resolve(image));
    }

    public ImageVerifier.Result verify(String image) throws IOException {
        return catalog.verify(resolve(image));
    }

    public Path delete(String image) throws IOException {
        Path p = resolve(image);
        if (writing.contains(p.toAbsolutePath().normalize())) {
            throw new IllegalStateException(p + " is the image a running checkpoint:dump is writing: not deleting it");
        }
        catalog.delete(p);
        return p;
    }
}
