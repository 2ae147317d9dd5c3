/**
 * The signal state of a stopped process: dispositions (read by injecting rt_sigaction), blocked
 * masks, pending signals per thread and shared (PTRACE_PEEKSIGINFO), sigaltstack and interval timers.
 */
package io.hotvirt.checkpoint.signals;
