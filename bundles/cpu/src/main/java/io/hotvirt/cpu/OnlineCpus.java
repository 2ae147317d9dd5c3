package io.hotvirt.cpu;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** The CPUs the kernel has online, from /sys/devices/system/cpu/online. */
public final class OnlineCpus {

    static final Path ONLINE = Path.of("/sys/devices/system/cpu/online");

    private OnlineCpus() {
    }

    public static CpuList read() throws IOException {
        CpuList online = CpuList.parse(Files.readString(ONLINE));
        if (online.isEmpty()) {
            throw new IOException(ONLINE + " lists no CPU");
        }
        return online;
    }
}
