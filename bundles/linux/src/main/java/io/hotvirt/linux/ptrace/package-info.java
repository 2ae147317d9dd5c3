/**
 * ptrace on x86-64: a tracer thread that owns every ptrace and waitpid call for its tracees,
 * register sets, wait statuses and bulk access to another process's memory.
 */
@Export
@Version("1.1.0")
package io.hotvirt.linux.ptrace;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
