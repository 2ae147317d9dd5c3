/**
 * The signal state of a stopped process: dispositions (read by injecting rt_sigaction), blocked
 * masks, pending signals per thread and shared (PTRACE_PEEKSIGINFO), sigaltstack, interval timers,
 * and POSIX timers (/proc/PID/timers, then an injected timer_gettime each).
 */
package io.hotvirt.checkpoint.signals;
