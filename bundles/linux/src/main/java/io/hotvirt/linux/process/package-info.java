/**
 * Starting, signalling and reaping processes without the JDK's process machinery, whose reaper
 * would swallow ptrace stops: posix_spawn, kill, pidfds and waitid.
 */
@Export
@Version("1.2.0")
package io.hotvirt.linux.process;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
