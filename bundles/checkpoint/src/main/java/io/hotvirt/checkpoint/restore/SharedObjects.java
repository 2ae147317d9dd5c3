package io.hotvirt.checkpoint.restore;

import io.hotvirt.checkpoint.image.ImageFiles;
import io.hotvirt.checkpoint.image.ImageFormat;
import io.hotvirt.checkpoint.image.ProcessMetadata;
import io.hotvirt.checkpoint.memory.SharedMemoryDumper;
import io.hotvirt.linux.jna.LibC;
import io.hotvirt.linux.jna.Syscall;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.HashMap;
import java.util.Map;

/**
 * The shared memory objects of an image (shared anonymous memory, memfds, SysV segments), each
 * made once as a memfd held by the husk and filled from its image file; every restored process that
 * mapped the object maps that one memfd again (opened through the husk's /proc fd link, which works
 * from a fresh PID namespace too), so they share its pages as they did. A SysV segment comes back
 * as shared memory without its SysV key.
 */
final class SharedObjects implements AutoCloseable {

    private static final int CHUNK = 1 << 20;

    private final RestoringProcess husk;
    private final Path image;
    private final Map<String, SharedMemoryDumper.SavedObject> saved = new HashMap<>();
    private final Map<String, Long> fds = new HashMap<>();

    SharedObjects(RestoringProcess husk, Path image, SharedMemoryDumper.Record record) {
        this.husk = husk;
        this.image = image;
        if (record != null) {
            record.objects().forEach(o -> saved.put(o.file(), o));
        }
    }

    /** Maps area {@code a} (contents {@code shm}) of {@code p} onto its object, made on first use. */
    void map(RestoringProcess p, ProcessMetadata.Area a) throws IOException {
        long fd = object(a);
        String link = "/proc/" + husk.pid() + "/fd/" + fd;
        int access = a.perms().charAt(1) == 'w' ? LibC.O_RDWR : LibC.O_RDONLY;
        long mine = p.call("openat", Syscall.OPENAT, LibC.AT_FDCWD, p.writeString(0, link),
                access | LibC.O_CLOEXEC, 0);
        try {
            long got = p.call("mmap", Syscall.MMAP, a.start(), a.end() - a.start(), MemoryRestorer.prot(a.perms()),
                    LibC.MAP_SHARED | LibC.MAP_FIXED, mine, a.offset());
            if (got != a.start()) {
                throw new IOException("shared area " + AddressSpace.describe(a) + " of process " + p.pid()
                        + " mapped at 0x" + Long.toHexString(got));
            }
        } finally {
            p.call("close", Syscall.CLOSE, mine);
        }
    }

    private long object(ProcessMetadata.Area a) throws IOException {
        Long known = fds.get(a.shm());
        if (known != null) {
            return known;
        }
        SharedMemoryDumper.SavedObject o = saved.get(a.shm());
        if (o == null) {
            throw new IOException("area " + AddressSpace.describe(a) + " names shared memory " + a.shm() + ", which "
                    + ImageFormat.SHARED_MEMORY + " does not list");
        }
        long fd = husk.call("memfd_create", Syscall.MEMFD_CREATE, husk.writeString(0, "hotvirt-shm"), LibC.MFD_CLOEXEC);
        fds.put(a.shm(), fd);
        husk.call("ftruncate", Syscall.FTRUNCATE, fd, o.size());
        Path contents = ImageFiles.in(image, o.file());
        try (FileChannel in = FileChannel.open(contents, StandardOpenOption.READ);
             FileChannel out = FileChannel.open(Path.of("/proc", Integer.toString(husk.pid()), "fd", Long.toString(fd)),
                     StandardOpenOption.WRITE)) {
            ByteBuffer b = ByteBuffer.allocateDirect(CHUNK);
            long pos = 0;
            while (pos < o.size()) {
                b.clear().limit((int) Math.min(CHUNK, o.size() - pos));
                int n = in.read(b, pos);
                if (n < 0) {
                    throw new IOException(contents + " ends at " + pos + " of the " + o.size() + " bytes of " + o.path());
                }
                b.flip();
                while (b.hasRemaining()) {
                    pos += out.write(b, pos);
                }
            }
        }
        return fd;
    }

    /** The husk's memfds go with the husk; the processes keep their mappings. */
    @Override
    public void close() {
        fds.clear();
    }
}
