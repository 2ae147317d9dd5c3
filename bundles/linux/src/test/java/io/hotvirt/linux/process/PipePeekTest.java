package io.hotvirt.linux.process;

import com.sun.jna.Memory;
import com.sun.jna.Pointer;
import io.hotvirt.linux.jna.LibC;
import org.junit.Test;

import java.nio.charset.StandardCharsets;

import static org.junit.Assert.assertArrayEquals;
import static org.junit.Assert.assertEquals;

/** tee(2)-based peeking at a pipe of this very process: the data stays for its reader. */
public class PipePeekTest {

    private static final int SELF = LibC.INSTANCE.getpid();

    @Test
    public void peeksWithoutConsumingFromEitherEnd() throws Exception {
        LibC c = LibC.INSTANCE;
        Memory fds = new Memory(8);
        c.syscall(io.hotvirt.linux.jna.Syscall.PIPE2, Pointer.nativeValue(fds), LibC.O_CLOEXEC);
        int r = fds.getInt(0);
        int w = fds.getInt(4);
        try {
            assertEquals(0, PipePeek.peek(SELF, r).length);
            byte[] data = new byte[100_000]; // more than a default pipe holds: the writer enlarged it
            for (int i = 0; i < data.length; i++) {
                data[i] = (byte) (i * 31);
            }
            c.syscall(72, w, LibC.F_SETPIPE_SZ, 1 << 17);
            Memory m = new Memory(data.length);
            m.write(0, data, 0, data.length);
            assertEquals(data.length, c.write(w, m, data.length));
            assertEquals(data.length, PipePeek.pendingBytes(SELF, r));
            assertArrayEquals(data, PipePeek.peek(SELF, r));
            assertArrayEquals(data, PipePeek.peek(SELF, w)); // through the write end, the same pipe
            Memory back = new Memory(data.length);
            long got = 0;
            while (got < data.length) {
                got += c.read(r, back.share(got), data.length - got);
            }
            assertArrayEquals(data, back.getByteArray(0, data.length));
            c.write(w, "x".getBytes(StandardCharsets.US_ASCII), 1);
            assertArrayEquals("x".getBytes(StandardCharsets.US_ASCII), PipePeek.peek(SELF, r));
        } finally {
            c.close(r);
            c.close(w);
        }
    }
}
