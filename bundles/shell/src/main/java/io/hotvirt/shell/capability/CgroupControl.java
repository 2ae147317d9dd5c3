package io.hotvirt.shell.capability;

import io.hotvirt.api.Domain;

import java.io.IOException;

/** The part of a cgroup capability's control that its {@link CgroupCapability} service drives. */
public interface CgroupControl {

    /** {@code v1} or {@code v2}. */
    String cgroupVersion();

    /** Applies the settings stored with the domain; on failure lifts every limit again and rethrows. */
    void virtualize(Domain domain) throws IOException;

    /** Lifts every limit this capability sets. Nothing if the domain's cgroup is gone. */
    void devirtualize(Domain domain) throws IOException;
}
