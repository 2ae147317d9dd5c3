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
 * @param posixTimers   the timers made with timer_create; empty (never null) in images older than them
 */
public record ProcessSignals(int pid, List<SignalAction> actions, List<QueuedSignal> sharedPending,
                             List<IntervalTimer> timers, List<ThreadSignals> threads, List<PosixTimer> posixTimers) {

    public ProcessSignals {
        actions = List.copyOf(actions);
        sharedPending = List.copyOf(sharedPending);
        timers = List.copyOf(timers);
        threads = List.copyOf(threads);
        posixTimers = posixTimers == null ? List.of() : List.copyOf(posixTimers); // Gson: absent in old images
    }

    public ProcessSignals(int pid, List<SignalAction> actions, List<QueuedSignal> sharedPending,
                          List<IntervalTimer> timers, List<ThreadSignals> threads) {
        this(pid, actions, sharedPending, timers, threads, List.of());
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
