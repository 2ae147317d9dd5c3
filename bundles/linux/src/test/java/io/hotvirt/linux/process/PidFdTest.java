package io.hotvirt.linux.process;

import io.hotvirt.linux.testing.Children;
import org.junit.Rule;
import org.junit.Test;

import java.io.IOException;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertThrows;
import static org.junit.Assert.assertTrue;

public class PidFdTest {

    @Rule
    public final Children children = new Children();

    @Test
    public void becomesReadableWhenTheProcessExits() throws Exception {
        int pid = children.spawn("sleep", "100");
        try (PidFd fd = PidFd.open(pid)) {
            assertTrue(fd.fd() >= 0);
            assertEquals(pid, fd.pid());
            assertFalse(fd.exited());
            fd.signal(Signals.SIGKILL);
            Children.await("exit", 3000, () -> {
                try {
                    return fd.exited();
                } catch (IOException e) {
                    throw new AssertionError(e);
                }
            });
        }
    }

    @Test
    public void aMissingProcessIsNamed() {
        IOException e = assertThrows(IOException.class, () -> PidFd.open(Integer.MAX_VALUE - 1));
        assertTrue(e.getMessage(), e.getMessage().contains("does not exist"));
    }
}
