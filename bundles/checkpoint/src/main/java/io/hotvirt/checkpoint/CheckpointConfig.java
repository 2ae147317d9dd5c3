package io.hotvirt.checkpoint;

import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.AttributeType;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;

/**
 * The checkpoint capability's settings, Config Admin PID {@value CheckpointSettings#PID}
 * ({@code etc/io.hotvirt.checkpoint.cfg}). Values arrive as text and are checked by
 * {@link CheckpointSettings}, which names a bad value and keeps the previous one.
 */
@ObjectClassDefinition(id = CheckpointSettings.PID, name = "hotvirt checkpoint",
        description = "Where checkpoint images go and how long a dump waits for a domain to stop. A bad value is"
                + " refused in the log and the previous value kept.")
@interface CheckpointConfig {

    @AttributeDefinition(name = "Images directory", required = false,
            description = "Absolute path of the directory where checkpoint:dump puts images (NAME-yyyyMMdd-HHmmss)"
                    + " and where checkpoint:list, show, verify, restore and delete find them by name. Empty: the"
                    + " directory images/ in hotvirt's data directory (dataDir of io.hotvirt). Made with mode 0700.")
    String imagesDir() default "";

    @AttributeDefinition(name = "Freeze timeout (ms)", type = AttributeType.LONG, min = "1",
            description = "How long checkpoint:dump waits for the kernel to freeze the domain's cgroup (a process in"
                    + " uninterruptible sleep, e.g. on NFS, holds it up) before it thaws the cgroup again and gives up,"
                    + " leaving the domain running.")
    String freezeTimeoutMillis() default "10000";

    @AttributeDefinition(name = "Seize timeout (ms)", type = AttributeType.LONG, min = "1",
            description = "How long checkpoint:dump waits for each thread of the domain to stop once seized before"
                    + " it gives up, lets every thread go and leaves the domain running.")
    String seizeTimeoutMillis() default "5000";
}
