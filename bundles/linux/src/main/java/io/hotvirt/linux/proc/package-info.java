/**
 * Typed readers of /proc: stat, status, cmdline, cgroup, tasks, maps, pagemap, fd and fdinfo,
 * with {@link io.hotvirt.linux.proc.Procfs} as the facade.
 */
@Export
@Version("1.1.0")
package io.hotvirt.linux.proc;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
