package io.hotvirt.memory.kernel;

import java.io.IOException;

/**
 * The memory controller's interface files of one cgroup (v1: in the memory hierarchy; v2: in the
 * cgroup's only directory). Kept this narrow so that the v1 and v2 strategies can be tested against
 * plain directories as well as the kernel.
 */
public interface CgroupFiles {

    /** The cgroup's path relative to the hierarchy roots, e.g. {@code hotvirt/w1}. */
    String path();

    boolean exists(String file);

    /** The file's content without the trailing newline. */
    String read(String file) throws IOException;

    /**
     * Writes one value in one write(2). A kernel refusal is an IOException whose cause chain holds
     * the errno (see {@link Errnos#of}).
     */
    void write(String file, String value) throws IOException;
}
