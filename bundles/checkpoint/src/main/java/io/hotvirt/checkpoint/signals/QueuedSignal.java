package io.hotvirt.checkpoint.signals;

/**
 * A pending signal, as PTRACE_PEEKSIGINFO returned it.
 *
 * @param siginfo the raw 128-byte siginfo_t, base64 (to be queued again with rt_tgsigqueueinfo at restore)
 */
public record QueuedSignal(int signo, int code, String siginfo) {
}
