/**
 * What the capabilities that hold domains to settings in their cgroups (cpu, memory) share: the
 * {@code Capability} service, the control that stores a domain's settings and writes them to its
 * cgroup all or nothing, and the settings' stored form. Not API: a base for capability bundles.
 */
@Export
@Version("1.0.0")
package io.hotvirt.shell.capability;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
