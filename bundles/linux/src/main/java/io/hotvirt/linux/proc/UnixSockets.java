package io.hotvirt.linux.proc;

import com.sun.jna.LastErrorException;
import com.sun.jna.Memory;
import io.hotvirt.linux.jna.Errno;
import io.hotvirt.linux.jna.Syscall;
import io.hotvirt.linux.jna.LibC;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.HashMap;
import java.util.Map;

import static io.hotvirt.linux.jna.LibC.AF_UNIX;

/**
 * The unix domain sockets of the caller's network namespace through NETLINK_SOCK_DIAG
 * (CONFIG_UNIX_DIAG): for every socket its inode, type, state and the inode of its peer
 * ({@code UNIX_DIAG_PEER}) — what {@code /proc/net/unix} does not tell. The inode is the one in
 * an fd link {@code socket:[INODE]}.
 */
public final class UnixSockets {

    /** One unix socket. {@code peerInode} is 0 when it has no peer. type: 1 stream, 2 dgram, 5 seqpacket. */
    public record Info(long inode, int type, int state, long peerInode) {
    }

    static final int AF_NETLINK = 16;
    static final int SOCK_RAW = 3;
    static final int SOCK_CLOEXEC = 02000000;
    static final int NETLINK_SOCK_DIAG = 4;
    static final int SOCK_DIAG_BY_FAMILY = 20;
    static final int NLM_F_REQUEST = 1;
    static final int NLM_F_DUMP = 0x300;
    static final int NLMSG_ERROR = 2;
    static final int NLMSG_DONE = 3;
    static final int UDIAG_SHOW_PEER = 0x4;
    static final int UNIX_DIAG_PEER = 2;

    private UnixSockets() {
    }

    /** Every unix socket of this network namespace, by inode. */
    public static Map<Long, Info> all() throws IOException {
        LibC c = LibC.INSTANCE;
        int fd;
        try {
            fd = (int) c.syscall(Syscall.SOCKET, AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_SOCK_DIAG);
        } catch (LastErrorException e) {
            throw new IOException("socket(AF_NETLINK, NETLINK_SOCK_DIAG): " + Errno.describe(e.getErrorCode()), e);
        }
        try {
            ByteBuffer req = ByteBuffer.allocate(40).order(ByteOrder.nativeOrder());
            req.putInt(40).putShort((short) SOCK_DIAG_BY_FAMILY).putShort((short) (NLM_F_REQUEST | NLM_F_DUMP))
                    .putInt(1).putInt(0);
            req.put((byte) AF_UNIX).put((byte) 0).putShort((short) 0).putInt(-1) // every state
                    .putInt(0).putInt(UDIAG_SHOW_PEER).putInt(-1).putInt(-1);
            c.write(fd, req.array(), 40);
            Map<Long, Info> out = new HashMap<>();
            Memory buf = new Memory(1 << 16);
            while (true) {
                long n = c.read(fd, buf, buf.size());
                if (n <= 0) {
                    throw new IOException("sock_diag: unexpected end of the netlink dump");
                }
                ByteBuffer b = buf.getByteBuffer(0, n).order(ByteOrder.nativeOrder());
                int at = 0;
                while (at + 16 <= n) {
                    int len = b.getInt(at);
                    int type = b.getShort(at + 4) & 0xffff;
                    if (len < 16 || at + len > n) {
                        throw new IOException("sock_diag: malformed netlink message of length " + len);
                    }
                    if (type == NLMSG_DONE) {
                        return out;
                    }
                    if (type == NLMSG_ERROR) {
                        int err = -b.getInt(at + 16);
                        throw new IOException("sock_diag: " + Errno.describe(err));
                    }
                    int m = at + 16; // struct unix_diag_msg: family, type, state, pad, ino, cookie[2]
                    int sockType = b.get(m + 1) & 0xff;
                    int state = b.get(m + 2) & 0xff;
                    long ino = b.getInt(m + 4) & 0xffffffffL;
                    long peer = 0;
                    int a = m + 16;
                    while (a + 4 <= at + len) {
                        int alen = b.getShort(a) & 0xffff;
                        int atype = b.getShort(a + 2) & 0xffff;
                        if (alen < 4) {
                            break;
                        }
                        if (atype == UNIX_DIAG_PEER && alen >= 8) {
                            peer = b.getInt(a + 4) & 0xffffffffL;
                        }
                        a += (alen + 3) & ~3;
                    }
                    out.put(ino, new Info(ino, sockType, state, peer));
                    at += (len + 3) & ~3;
                }
            }
        } catch (LastErrorException e) {
            throw new IOException("sock_diag: " + Errno.describe(e.getErrorCode()), e);
        } finally {
            try {
                c.close(fd);
            } catch (LastErrorException ignored) {
                // nothing to do
            }
        }
    }
}
