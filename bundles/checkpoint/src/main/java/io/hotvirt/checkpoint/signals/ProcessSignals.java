package io.hotvirt.checkpoint.signals;

import java.util.List;
import java.util.Optional;

/**
 * The signal state of one process.
 *
 * @param actions       the disposition of every signal 1..64 but SIGKILL and SIGSTOP
 * @param sharedPending signals queued for the whole process, oldest first
 * @param timers        ITIMER_REAL, ITIMER_VIRTUAL, ITIMER_PROF
 * @param threads       each thread's own state
 */
public record ProcessSignals(int pid, List<SignalAction> actions, List<QueuedSignal> sharedPending,
                             List<IntervalTimer> timers, List<ThreadSignals> threads) {

    public ProcessSignals {
        actions = List.copyOf(actions);
        sharedPending = List.copyOf(sharedPending);
        timers = List.copyOf(timers);
        threads = List.copyOf(threads);
    }

    public Optional<SignalAction> action(int signal) {
        return actions.stream().filter(a -> a.signal() == signal).findFirst();
    }

    public Optional<ThreadSignals> thread(int tid) {
        return threads.stream().filter(t -> t.tid() == tid).findFirst();
    }

    public IntervalTimer timer(int which) {
        return timers.stream().filter(t -> t.which() == which).findFirst().orElseThrow();
    }
}
