package io.hotvirt.memory.kernel;

import io.hotvirt.linux.cgroup.DomainCgroup;

import java.io.IOException;
import java.nio.file.Files;

/** A domain's cgroup from the linux bundle, as the memory controller's {@link CgroupFiles}. */
public final class DomainCgroupFiles implements CgroupFiles {

    static final String CONTROLLER = "memory";

    private final DomainCgroup cgroup;

    public DomainCgroupFiles(DomainCgroup cgroup) {
        this.cgroup = cgroup;
    }

    @Override
    public String path() {
        return cgroup.path();
    }

    @Override
    public boolean exists(String file) {
        try {
            return Files.exists(cgroup.dir(CONTROLLER).resolve(file));
        } catch (IllegalArgumentException noMemoryHierarchy) {
            return false;
        }
    }

    @Override
    public String read(String file) throws IOException {
        return cgroup.read(CONTROLLER, file);
    }

    @Override
    public void write(String file, String value) throws IOException {
        cgroup.write(CONTROLLER, file, value);
    }
}
