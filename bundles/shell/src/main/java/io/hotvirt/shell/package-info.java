/**
 * Karaf shell code the hotvirt command bundles share: the base of every command on one domain
 * ({@link io.hotvirt.shell.DomainCommand}), options written after the domain name, running-domain
 * lookup, and domain-name completers.
 */
@Export
@Version("1.0.0")
package io.hotvirt.shell;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
