/**
 * Checking the values a capability reads from Config Admin, the same way in every bundle: a bad
 * value is reported with its key, why and the fix, and the previous value is kept.
 */
@Export
@Version("1.0.0")
package io.hotvirt.shell.config;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
