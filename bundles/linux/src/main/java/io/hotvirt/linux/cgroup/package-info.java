/**
 * cgroup v1 and v2: detecting the mounted hierarchies, creating and removing hotvirt's own
 * cgroups, moving processes in and back out, freezing and signalling a domain's cgroup.
 */
@Export
@Version("1.1.0")
package io.hotvirt.linux.cgroup;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
