package io.hotvirt.checkpoint.signals;

import java.util.List;

/**
 * The per-thread signal state.
 *
 * @param blocked the blocked mask (bit n-1 for signal n), from /proc/PID/task/TID/status SigBlk
 * @param pending signals queued for this thread only, oldest first
 */
public record ThreadSignals(int tid, long blocked, List<QueuedSignal> pending, AltStack altStack) {

    public ThreadSignals {
        pending = List.copyOf(pending);
    }

    public boolean blocks(int signal) {
        return signal >= 1 && signal <= 64 && (blocked & (1L << (signal - 1))) != 0;
    }
}
