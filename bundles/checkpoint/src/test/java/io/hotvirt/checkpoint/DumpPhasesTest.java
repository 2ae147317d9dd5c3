package io.hotvirt.checkpoint;

import org.junit.Test;

import static org.junit.Assert.assertEquals;

/**
 * The end-to-end figures of a dump's summary, on a clock the test moves: Total from the start of
 * the dump to its finish, the commit included; Frozen from the freeze to the release (left
 * running: the commit comes after it) or to the kill (killed: the domain stays stopped through
 * the commit).
 */
public class DumpPhasesTest {

    private long now = 1_000_000_000L;

    private DumpPhases phases() {
        return new DumpPhases(() -> now);
    }

    private void after(long millis) {
        now += millis * 1_000_000L;
    }

    @Test
    public void leftRunningTheCommitCountsInTotalButNotInFrozen() {
        DumpPhases p = phases();
        after(5);
        p.end(DumpPhases.PREPARE);
        after(10);
        p.end(DumpPhases.FREEZE, 4_000_000L, DumpPhases.STOPS); // 4 ms freezing, 6 ms waiting for the stops
        after(100);
        p.end(DumpPhases.MEMORY);
        after(2);
        p.end(DumpPhases.RELEASE);
        after(300);
        p.end(DumpPhases.COMMIT);
        after(1);
        p.finish();
        after(50); // later reads change nothing

        assertEquals(418, p.totalMillis());
        assertEquals(112, p.frozenMillis());
        assertEquals(4, p.millis(DumpPhases.FREEZE));
        assertEquals(6, p.millis(DumpPhases.STOPS));
        assertEquals(300, p.millis(DumpPhases.COMMIT));
    }

    @Test
    public void killedTheDomainStaysStoppedThroughTheCommitUntilTheKill() {
        DumpPhases p = phases();
        after(5);
        p.end(DumpPhases.PREPARE);
        after(10);
        p.end(DumpPhases.FREEZE, 10_000_000L, DumpPhases.STOPS);
        after(100);
        p.end(DumpPhases.MEMORY);
        after(300);
        p.end(DumpPhases.COMMIT);
        after(3);
        p.end(DumpPhases.KILL);
        after(1);
        p.finish();

        assertEquals(419, p.totalMillis());
        assertEquals(413, p.frozenMillis());
    }

    @Test
    public void timeBetweenPhasesCountsInBothFigures() {
        DumpPhases p = phases();
        after(1);
        p.end(DumpPhases.PREPARE);
        after(1);
        p.end(DumpPhases.FREEZE, 0, DumpPhases.STOPS);
        for (int i = 0; i < 3; i++) {
            after(7); // a hook, or bookkeeping, before each process: in no phase
            p.start();
            after(10);
            p.end(DumpPhases.MEMORY);
        }
        p.end(DumpPhases.RELEASE);
        p.finish();

        assertEquals(30, p.millis(DumpPhases.MEMORY));
        assertEquals(52, p.frozenMillis());
        assertEquals(53, p.totalMillis());
    }

    @Test
    public void beforeTheFreezeNothingWasFrozenAndBeforeTheFinishTotalRunsOn() {
        DumpPhases p = phases();
        after(20);
        p.end(DumpPhases.PREPARE);
        assertEquals(0, p.frozenMillis());
        after(5);
        assertEquals(25, p.totalMillis());
    }
}
