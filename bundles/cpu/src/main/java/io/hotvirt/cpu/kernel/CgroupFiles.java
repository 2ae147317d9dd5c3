package io.hotvirt.cpu.kernel;

import java.io.IOException;

/**
 * The interface files of one cgroup, by controller. On cgroup v2 every controller shares one
 * directory; on v1 each has its own hierarchy. Kept this narrow so the v1 and v2 strategies can be
 * tested against plain directories as well as the kernel.
 */
public interface CgroupFiles {

    /** The cgroup's path relative to the hierarchy roots, e.g. {@code hotvirt/w1}. */
    String path();

    boolean exists(String controller, String file);

    /** The file's content without the trailing newline. */
    String read(String controller, String file) throws IOException;

    void write(String controller, String file, String value) throws IOException;

    /** A file of the parent cgroup, without the trailing newline. */
    String readParent(String controller, String file) throws IOException;
}
