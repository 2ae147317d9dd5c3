package io.hotvirt.checkpoint.signals;

import com.google.gson.Gson;
import org.junit.Test;

import java.util.List;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertThrows;

/** /proc/PID/timers as this kernel prints it; images from before POSIX timers still load. */
public class PosixTimerTest {

    @Test
    public void parsesEveryNotifyKind() {
        String text = """
                ID: 1
                signal: 0/0000000000000000
                notify: none/pid.30237
                ClockID: 0
                ID: 0
                signal: 12/00000000000004d2
                notify: signal/pid.30237
                ClockID: 1
                ID: 7
                signal: 34/ffff800000000001
                notify: signal/tid.30240
                ClockID: -6
                ID: 3
                signal: 14/0000000000000003
                notify: thread/pid.30237
                ClockID: 2
                """;
        assertEquals(List.of(
                new PosixTimer(1, 0, 0, 0, PosixTimer.SIGEV_NONE, 0, 0, 0),
                new PosixTimer(0, 1, 12, 1234, PosixTimer.SIGEV_SIGNAL, 0, 0, 0),
                new PosixTimer(7, -6, 34, 0xffff800000000001L, PosixTimer.SIGEV_SIGNAL | PosixTimer.SIGEV_THREAD_ID,
                        30240, 0, 0),
                new PosixTimer(3, 2, 14, 3, PosixTimer.SIGEV_THREAD, 0, 0, 0)), PosixTimer.parse(text));
        assertEquals(List.of(), PosixTimer.parse(""));
    }

    @Test
    public void refusesWhatItCannotRead() {
        assertThrows(IllegalArgumentException.class, () -> PosixTimer.parse("signal: 10/0\n"));
        assertThrows(IllegalArgumentException.class, () -> PosixTimer.parse("ID: 1\nsignal: 10/0\nClockID: 1\n"));
        assertThrows(IllegalArgumentException.class, () -> PosixTimer.parse("ID: 1\nsignal: x/0\n"));
        assertThrows(IllegalArgumentException.class,
                () -> PosixTimer.parse("ID: 1\nsignal: 10/0\nnotify: bogus/pid.1\nClockID: 1\n"));
    }

    @Test
    public void oldImagesLoadWithoutPosixTimersAndNewOnesKeepThem() {
        Gson gson = new Gson();
        ProcessSignals old = gson.fromJson("{\"pid\":5,\"actions\":[],\"sharedPending\":[],\"timers\":[],"
                + "\"threads\":[]}", ProcessSignals.class);
        assertEquals(List.of(), old.posixTimers());

        ProcessSignals now = new ProcessSignals(5, List.of(), List.of(), List.of(), List.of(),
                List.of(new PosixTimer(7, 1, 12, 1234, 0, 0, 15_000_000, 20_000_000)));
        assertEquals(now, gson.fromJson(gson.toJson(now), ProcessSignals.class));
    }
}
