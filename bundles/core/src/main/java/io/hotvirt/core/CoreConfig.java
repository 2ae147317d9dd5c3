package io.hotvirt.core;

import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.AttributeType;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;

/**
 * hotvirt's own settings, Config Admin PID {@value CoreSettings#PID} ({@code etc/io.hotvirt.cfg}).
 * Values arrive as text and are checked by {@link CoreSettings}, which can then name the bad value
 * and keep the previous one; the metatype still tells {@code config:} tools their real types.
 */
@ObjectClassDefinition(id = CoreSettings.PID, name = "hotvirt",
        description = "Where hotvirt keeps its state, the cgroup subtree it owns, and how long a launch may take."
                + " A change makes the monitor restart in place (domains run on); a bad value is refused in the"
                + " log and the previous value kept.")
@interface CoreConfig {

    @AttributeDefinition(name = "Data directory",
            description = "Absolute path of hotvirt's state: the domain registry (domains.json), the logs of launched"
                    + " domains (logs/), the node key that signs images (node.key) and, unless io.hotvirt.checkpoint"
                    + " says otherwise, the images (images/). Made with mode 0700 when missing. Keep it outside any"
                    + " build output and outside Karaf's home.")
    String dataDir() default CoreSettings.DEFAULT_DATA_DIR;

    @AttributeDefinition(name = "Cgroup root",
            description = "Name of the cgroup directory under which every domain gets its own cgroup (ROOT/NAME)."
                    + " Letters, digits, '_', '.' and '-', starting with a letter or digit.")
    String cgroupRoot() default CoreSettings.DEFAULT_CGROUP_ROOT;

    @AttributeDefinition(name = "Launch timeout (ms)", type = AttributeType.LONG, min = "1",
            description = "How long a command started by domain:launch may take to start and join its cgroup"
                    + " before the launch is called failed and the process killed.")
    String launchTimeoutMillis() default "5000";
}
