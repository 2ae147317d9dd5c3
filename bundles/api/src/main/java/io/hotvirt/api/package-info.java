/**
 * The hotvirt API: process domains, the service that manages them, and the capability whiteboard.
 * Interfaces and records only; implementations live in their bundles.
 */
@Export
@Version("1.1.0")
package io.hotvirt.api;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
