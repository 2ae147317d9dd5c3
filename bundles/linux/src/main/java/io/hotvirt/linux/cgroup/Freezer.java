package io.hotvirt.linux.cgroup;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/** Freezing a cgroup: v1 freezer.state or v2 cgroup.freeze, each waiting until the kernel confirms. */
abstract class Freezer {

    /** A task in uninterruptible sleep (NFS, FUSE, D state) can hold off freezing; do not wait forever. */
    static final long TIMEOUT_NANOS = DomainCgroup.DEFAULT_FREEZE_TIMEOUT.toNanos();
    private static final long SPIN_NANOS = TimeUnit.MILLISECONDS.toNanos(1);

    /** The guard of each cgroup frozen by this process, from the freeze request until the thaw. */
    private static final Map<Path, ThawGuard> GUARDS = new ConcurrentHashMap<>();

    /**
     * Freezes {@code dir} and waits until the kernel confirms. On any failure — a timeout, an
     * interrupt, an I/O error, even an Error — the freeze request is withdrawn before the exception
     * leaves: a half-frozen (v1 FREEZING) cgroup would stop the workload for good. From before the
     * request until {@link #thaw} a {@link ThawGuard} stands by to thaw the cgroup should this
     * process die meanwhile.
     */
    final void freeze(Path dir) throws IOException {
        freeze(dir, DomainCgroup.DEFAULT_FREEZE_TIMEOUT);
    }

    /** As {@link #freeze(Path)}, giving the kernel {@code timeout} to confirm. */
    final void freeze(Path dir, Duration timeout) throws IOException {
        ThawGuard guard = null;
        // frozen again while frozen: the first guard still stands; frozen by someone else: theirs to thaw
        if (!GUARDS.containsKey(dir) && !frozen(dir)) {
            guard = ThawGuard.arm(stateFile(dir), thawedValue());
            if (GUARDS.putIfAbsent(dir, guard) != null) { // a concurrent freeze armed one first
                guard.close();
                guard = null;
            }
        }
        boolean done = false;
        try {
            requestFreeze(dir);
            if (!await(dir, confirmation(), timeout.toNanos())) {
                throw new IOException("freezing " + dir + ": not frozen after " + timeout.toMillis() + " ms — a process"
                        + " is probably in an uninterruptible sleep (state D, e.g. on NFS or FUSE); the cgroup was thawed again");
            }
            done = true;
        } finally {
            if (!done) {
                boolean interrupted = Thread.interrupted(); // the thaw must not be cut short by the interrupt
                try {
                    withdraw(dir);
                    if (guard != null) {
                        GUARDS.remove(dir, guard);
                        guard.close();
                    }
                } finally {
                    if (interrupted) {
                        Thread.currentThread().interrupt();
                    }
                }
            }
        }
    }

    abstract void requestFreeze(Path dir) throws IOException;

    /** A fresh check for one freeze, polled until true (v1's also re-requests the freeze). */
    abstract Check confirmation();

    /** Withdraws a freeze request without waiting (best effort inside a failure). */
    abstract void withdraw(Path dir) throws IOException;

    /** The guard standing by for {@code dir}, if it is frozen by this process (tests). */
    static ThawGuard guard(Path dir) {
        return GUARDS.get(dir);
    }

    /** Thaws {@code dir} (waiting until the kernel confirms) and stands its guard down. */
    final void thaw(Path dir) throws IOException {
        unfreeze(dir);
        ThawGuard guard = GUARDS.remove(dir);
        if (guard != null) {
            guard.close();
        }
    }

    abstract void unfreeze(Path dir) throws IOException;

    /** The file whose value freezes and thaws, and the value that thaws. */
    abstract Path stateFile(Path dir);

    abstract String thawedValue();

    abstract boolean frozen(Path dir) throws IOException;

    /**
     * Polls {@code done}: for the first 1 ms yielding between polls (a small cgroup freezes in well
     * under that, and a sleep overshoots it), then with a back-off from 0.1 ms to 2 ms; false on timeout.
     */
    static boolean await(Path dir, Check done) throws IOException {
        return await(dir, done, TIMEOUT_NANOS);
    }

    /** As {@link #await(Path, Check)}, for at most {@code timeoutNanos}. */
    static boolean await(Path dir, Check done, long timeoutNanos) throws IOException {
        long start = System.nanoTime();
        long deadline = start + timeoutNanos;
        long sleepMicros = 100;
        while (!done.test(dir)) {
            long now = System.nanoTime();
            if (now - deadline > 0) {
                return false;
            }
            if (now - start < SPIN_NANOS) {
                Thread.yield();
                continue;
            }
            try {
                TimeUnit.MICROSECONDS.sleep(sleepMicros);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new java.io.InterruptedIOException("interrupted waiting for cgroup " + dir);
            }
            sleepMicros = Math.min(sleepMicros * 2, 2_000);
        }
        return true;
    }

    interface Check {
        boolean test(Path dir) throws IOException;
    }

    /** cgroup v1: freezer.state THAWED → FREEZING → FROZEN. */
    static final class V1 extends Freezer {

        @Override
        void requestFreeze(Path dir) throws IOException {
            CgroupIo.write(dir.resolve("freezer.state"), "FROZEN");
        }

        @Override
        Check confirmation() {
            long[] lastRequest = {System.nanoTime()};
            return dir -> {
                if (frozen(dir)) {
                    return true;
                }
                // while FREEZING, writing FROZEN again retries tasks that were not caught the first time
                if (System.nanoTime() - lastRequest[0] > 100_000_000L) {
                    requestFreeze(dir);
                    lastRequest[0] = System.nanoTime();
                }
                return false;
            };
        }

        @Override
        void withdraw(Path dir) throws IOException {
            unfreeze(dir);
        }

        @Override
        void unfreeze(Path dir) throws IOException {
            CgroupIo.write(stateFile(dir), thawedValue());
        }

        @Override
        Path stateFile(Path dir) {
            return dir.resolve("freezer.state");
        }

        @Override
        String thawedValue() {
            return "THAWED";
        }

        @Override
        boolean frozen(Path dir) throws IOException {
            return CgroupIo.read(dir.resolve("freezer.state")).strip().equals("FROZEN");
        }
    }

    /** cgroup v2: cgroup.freeze, confirmed by "frozen 1" in cgroup.events. */
    static final class V2 extends Freezer {

        @Override
        void requestFreeze(Path dir) throws IOException {
            CgroupIo.write(dir.resolve("cgroup.freeze"), "1");
        }

        @Override
        Check confirmation() {
            return this::frozen;
        }

        @Override
        void withdraw(Path dir) throws IOException {
            CgroupIo.write(dir.resolve("cgroup.freeze"), "0");
        }

        @Override
        Path stateFile(Path dir) {
            return dir.resolve("cgroup.freeze");
        }

        @Override
        String thawedValue() {
            return "0";
        }

        @Override
        void unfreeze(Path dir) throws IOException {
            CgroupIo.write(stateFile(dir), thawedValue());
            if (!await(dir, d -> !frozen(d))) {
                throw new IOException("thawing " + dir + ": still frozen after 10 s (is a parent cgroup frozen?)");
            }
        }

        @Override
        boolean frozen(Path dir) throws IOException {
            for (String line : CgroupIo.read(dir.resolve("cgroup.events")).split("\n")) {
                if (line.startsWith("frozen ")) {
                    return line.endsWith(" 1");
                }
            }
            return false;
        }
    }
}
