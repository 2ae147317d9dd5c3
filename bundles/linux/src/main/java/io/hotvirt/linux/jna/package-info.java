/**
 * Raw JNA bindings to glibc on Linux x86-64: functions, syscall numbers, constants and errno
 * helpers. Everything else in hotvirt reaches the kernel through these.
 */
@Export
@Version("1.1.0")
package io.hotvirt.linux.jna;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
