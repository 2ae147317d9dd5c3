package io.hotvirt.checkpoint.files;

import io.hotvirt.linux.proc.FdInfo;
import org.junit.Test;

import static org.junit.Assert.assertEquals;

/** Classification and fdinfo parsing of the files reader, without a kernel. */
public class FileKindTest {

    private static long dev(int major, int minor) {
        return ((long) (major & 0xfff) << 8) | ((long) (major & ~0xfff) << 32) | (minor & 0xff)
                | ((long) (minor & ~0xff) << 12);
    }

    private static FileKind kind(String target, int mode, long rdev) {
        FdInfo info = FdInfo.parse(3, target, "pos:\t0\nflags:\t02\nmnt_id:\t1\nino:\t5\n");
        return FileReader.kind(info, new FileIdentity(0, 5, mode, rdev, 0, 1));
    }

    @Test
    public void classifies() {
        assertEquals(FileKind.REGULAR, kind("/tmp/x", 0100644, 0));
        assertEquals(FileKind.DIRECTORY, kind("/tmp", 040755, 0));
        assertEquals(FileKind.DEV_NULL, kind("/dev/null", 020666, dev(1, 3)));
        assertEquals(FileKind.CHAR_DEVICE, kind("/dev/zero", 020666, dev(1, 5)));
        assertEquals(FileKind.TERMINAL, kind("/dev/pts/3", 020620, dev(136, 3)));
        assertEquals(FileKind.TERMINAL, kind("/dev/tty1", 020620, dev(4, 1)));
        assertEquals(FileKind.PIPE, kind("pipe:[123]", 010600, 0));
        assertEquals(FileKind.FIFO, kind("/tmp/fifo", 010644, 0));
        assertEquals(FileKind.EVENTFD, kind("anon_inode:[eventfd]", 0600, 0));
        assertEquals(FileKind.ANON_INODE, kind("anon_inode:[eventpoll]", 0600, 0));
        assertEquals(FileKind.SOCKET, kind("socket:[77]", 0140777, 0));
    }

    @Test
    public void devicesNumbersRoundTrip() {
        long d = dev(259, 70000);
        assertEquals(259, FileIdentity.major(d));
        assertEquals(70000, FileIdentity.minor(d));
        assertEquals(136, FileIdentity.major(dev(136, 2)));
    }

    @Test
    public void eventfdCountIsHex() {
        FdInfo info = FdInfo.parse(4, "anon_inode:[eventfd]",
                "pos:\t0\nflags:\t02\nmnt_id:\t15\nino:\t1057\neventfd-count:               1a\neventfd-id: 3\n");
        assertEquals(26, FileReader.eventfdCount(info));
    }
}
