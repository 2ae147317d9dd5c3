package io.hotvirt.linux.cgroup;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/** A domain's {@link DomainCgroup} as {@link CgroupFiles}. */
public final class DomainCgroupFiles implements CgroupFiles {

    private final DomainCgroup cgroup;

    public DomainCgroupFiles(DomainCgroup cgroup) {
        this.cgroup = cgroup;
    }

    /** The files of the cgroup at {@code path}, or empty if it is gone (all its processes have exited). */
    public static Optional<CgroupFiles> find(Cgroups cgroups, String path) {
        return cgroups.open(path).map(DomainCgroupFiles::new);
    }

    /**
     * The files of domain {@code domain}'s cgroup at {@code path}.
     *
     * @throws IOException saying the domain's processes have exited, if the cgroup is gone
     */
    public static CgroupFiles open(Cgroups cgroups, String domain, String path) throws IOException {
        return find(cgroups, path).orElseThrow(() -> new IOException("domain " + domain + " has no cgroup "
                + path + " any more: its processes have exited"));
    }

    @Override
    public String path() {
        return cgroup.path();
    }

    @Override
    public boolean exists(String controller, String file) {
        try {
            return Files.exists(cgroup.dir(controller).resolve(file));
        } catch (IllegalArgumentException noSuchHierarchy) {
            return false;
        }
    }

    @Override
    public String read(String controller, String file) throws IOException {
        return cgroup.read(controller, file);
    }

    @Override
    public void write(String controller, String file, String value) throws IOException {
        // a write(2) of zero bytes may never reach the cgroup's handler: write an empty value as a
        // newline, which the kernel strips (v2 cpuset.cpus "" = inherit the parent's CPUs)
        cgroup.write(controller, file, value.isEmpty() ? "\n" : value);
    }

    @Override
    public String readParent(String controller, String file) throws IOException {
        Path parent = cgroup.dir(controller).getParent();
        String s = Files.readString(parent.resolve(file));
        return s.endsWith("\n") ? s.substring(0, s.length() - 1) : s;
    }
}
