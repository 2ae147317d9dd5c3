package io.hotvirt.linux.process;

import io.hotvirt.linux.testing.Children;
import org.junit.Rule;
import org.junit.Test;

import java.io.IOException;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertThrows;
import static org.junit.Assert.assertTrue;

public class SignalsTest {

    @Rule
    public final Children children = new Children();

    @Test
    public void parsesNamesAndNumbers() {
        assertEquals(15, Signals.parse("TERM"));
        assertEquals(15, Signals.parse("SIGTERM"));
        assertEquals(15, Signals.parse("sigterm"));
        assertEquals(15, Signals.parse("15"));
        assertEquals(9, Signals.parse("KILL"));
        assertEquals(10, Signals.parse("USR1"));
        assertEquals(19, Signals.parse("STOP"));
        assertEquals(6, Signals.parse("IOT"));
        assertEquals(0, Signals.parse("0"));
        assertEquals(34, Signals.parse("RTMIN"));
        assertEquals(36, Signals.parse("SIGRTMIN+2"));
        assertEquals(63, Signals.parse("RTMAX-1"));
        for (String bad : new String[] {"", "FOO", "65", "-1", "RTMIN+40", "SIG"}) {
            assertThrows(bad, IllegalArgumentException.class, () -> Signals.parse(bad));
        }
    }

    @Test
    public void namesRoundTrip() {
        for (int sig = 1; sig <= 64; sig++) {
            if (sig == 32 || sig == 33) {
                continue; // reserved by glibc, no names
            }
            assertEquals(sig, Signals.parse(Signals.name(sig)));
        }
        assertEquals("TERM", Signals.name(15));
        assertEquals("RTMIN+2", Signals.name(36));
    }

    @Test
    public void theStandardNamesForCompletionParseToTheirNumbers() {
        assertEquals(31, Signals.names().size());
        assertEquals("HUP", Signals.names().get(0));
        for (int i = 0; i < Signals.names().size(); i++) {
            assertEquals(i + 1, Signals.parse(Signals.names().get(i)));
        }
    }

    @Test
    public void killDeliversAndNamesAVanishedProcess() throws Exception {
        int pid = children.spawn("sleep", "100");
        Signals.kill(pid, 0);
        Signals.kill(pid, Signals.SIGKILL);
        int status = Children.waitExit(pid, 3000);
        assertEquals(Signals.SIGKILL, status & 0x7f);
        IOException e = assertThrows(IOException.class, () -> Signals.kill(pid, 0));
        assertTrue(e.getMessage(), e.getMessage().contains("does not exist (it has exited)"));
    }
}
