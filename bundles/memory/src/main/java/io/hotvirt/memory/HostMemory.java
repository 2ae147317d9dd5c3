package io.hotvirt.memory;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The host's RAM and swap from {@code /proc/meminfo}.
 *
 * @param memTotal  RAM in bytes
 * @param swapTotal swap enabled, in bytes (0: no swap)
 * @param swapFree  swap not in use, in bytes
 */
public record HostMemory(long memTotal, long swapTotal, long swapFree) {

    private static final Path MEMINFO = Path.of("/proc/meminfo");

    /** Reads /proc/meminfo; zeros where it cannot be read. */
    public static HostMemory read() {
        try {
            return parse(Files.readString(MEMINFO));
        } catch (IOException e) {
            return new HostMemory(0, 0, 0);
        }
    }

    static HostMemory parse(String meminfo) {
        long total = 0;
        long swapTotal = 0;
        long swapFree = 0;
        for (String line : meminfo.split("\n")) {
            String[] f = line.split("\\s+");
            if (f.length < 2) {
                continue;
            }
            long bytes = Long.parseLong(f[1]) * (f.length > 2 && f[2].equals("kB") ? 1024 : 1);
            switch (f[0]) {
                case "MemTotal:" -> total = bytes;
                case "SwapTotal:" -> swapTotal = bytes;
                case "SwapFree:" -> swapFree = bytes;
                default -> {
                }
            }
        }
        return new HostMemory(total, swapTotal, swapFree);
    }

    /** {@code 256 MiB of swap, 200 MiB free} or {@code no swap enabled}. */
    public String describeSwap() {
        return swapTotal == 0 ? "no swap enabled"
                : Sizes.format(swapTotal) + " of swap, " + Sizes.format(swapFree) + " free";
    }
}
