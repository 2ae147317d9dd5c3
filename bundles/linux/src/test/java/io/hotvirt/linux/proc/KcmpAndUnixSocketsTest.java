package io.hotvirt.linux.proc;

import com.sun.jna.Memory;
import com.sun.jna.Pointer;
import io.hotvirt.linux.jna.LibC;
import org.junit.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertNotNull;
import static org.junit.Assert.assertTrue;

/** kcmp(KCMP_FILE) and sock_diag on this very process (no privilege needed). */
public class KcmpAndUnixSocketsTest {

    private static final int SELF = LibC.INSTANCE.getpid();

    @Test
    public void kcmpTellsADupFromASecondOpen() throws Exception {
        Path f = Files.createTempFile("kcmp", ".txt");
        LibC c = LibC.INSTANCE;
        int a = c.open(f.toString(), LibC.O_RDONLY | LibC.O_CLOEXEC, 0);
        int b = c.open(f.toString(), LibC.O_RDONLY | LibC.O_CLOEXEC, 0);
        int dup = (int) c.syscall(72, a, 1030 /* F_DUPFD_CLOEXEC */, 100);
        try {
            assertTrue(Kcmp.sameFile(SELF, a, SELF, dup));
            assertFalse(Kcmp.sameFile(SELF, a, SELF, b));
        } finally {
            c.close(a);
            c.close(b);
            c.close(dup);
            Files.delete(f);
        }
    }

    @Test
    public void sockDiagFindsTheSocketpairPeers() throws Exception {
        Memory sv = new Memory(8);
        LibC.INSTANCE.syscall(53 /* socketpair */, 1 /* AF_UNIX */, 1 | 02000000 /* SOCK_STREAM|CLOEXEC */, 0,
                Pointer.nativeValue(sv));
        int s0 = sv.getInt(0);
        int s1 = sv.getInt(4);
        try {
            long i0 = (Long) Files.getAttribute(Path.of("/proc/self/fd/" + s0), "unix:ino");
            long i1 = (Long) Files.getAttribute(Path.of("/proc/self/fd/" + s1), "unix:ino");
            Map<Long, UnixSockets.Info> all = UnixSockets.all();
            assertNotNull(all.get(i0));
            assertEquals(i1, all.get(i0).peerInode());
            assertEquals(i0, all.get(i1).peerInode());
            assertEquals(1, all.get(i0).type());
        } finally {
            LibC.INSTANCE.close(s0);
            LibC.INSTANCE.close(s1);
        }
    }
}
