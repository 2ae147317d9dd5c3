/**
 * Stopping a domain consistently for a checkpoint: freeze its cgroup, PTRACE_SEIZE and
 * PTRACE_INTERRUPT every thread, thaw the cgroup; the threads stay in ptrace-stop until the
 * freezer is closed. On any failure nothing is left stopped or traced.
 */
package io.hotvirt.checkpoint.freeze;
