package io.hotvirt.linux.cgroup;

import java.io.IOException;

/**
 * The interface files of one cgroup, by controller (v2: one directory for every controller; v1: the
 * cgroup's directory in each controller's hierarchy). The capability bundles write their settings
 * through this narrow view rather than {@link DomainCgroup}, so that their v1 and v2 strategies can
 * also be tested on the exact file formats in plain directories. {@link DomainCgroupFiles} is the
 * view of a real cgroup.
 */
public interface CgroupFiles {

    /** The cgroup's path relative to the hierarchy roots, e.g. {@code hotvirt/w1}. */
    String path();

    /** False also where no hierarchy has {@code controller}. */
    boolean exists(String controller, String file);

    /** The file's content without the trailing newline. */
    String read(String controller, String file) throws IOException;

    /**
     * Writes one value in one write(2). A kernel refusal is an IOException with the
     * {@code LastErrorException} (the errno) in its cause chain.
     */
    void write(String controller, String file, String value) throws IOException;

    /** A file of the parent cgroup, without the trailing newline. */
    String readParent(String controller, String file) throws IOException;
}
