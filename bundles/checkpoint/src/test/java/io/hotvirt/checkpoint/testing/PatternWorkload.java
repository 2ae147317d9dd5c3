package io.hotvirt.checkpoint.testing;

import com.sun.jna.LastErrorException;
import com.sun.jna.ptr.IntByReference;
import io.hotvirt.checkpoint.image.ImageFormat;
import io.hotvirt.checkpoint.image.PageIndexReader;
import io.hotvirt.checkpoint.image.PageRun;
import io.hotvirt.linux.jna.LibC;
import io.hotvirt.linux.process.SpawnRequest;
import io.hotvirt.linux.process.Spawner;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The pattern.c workload: built with gcc into target/ on first use, spawned with {@link Spawner}
 * (never ProcessBuilder), and killed and reaped on close.
 */
public final class PatternWorkload implements AutoCloseable {

    private static final Path SOURCE = Path.of("src/test/resources/workloads/pattern.c");
    private static final Path BINARY = Path.of("target/workloads/pattern");

    public final int pid;
    public final long seed;
    public final long address;
    public final long length;
    private final Path log;

    private PatternWorkload(int pid, long seed, long address, long length, Path log) {
        this.pid = pid;
        this.seed = seed;
        this.address = address;
        this.length = length;
        this.log = log;
    }

    public static synchronized Path binary() throws IOException, InterruptedException {
        if (Files.exists(BINARY) && Files.getLastModifiedTime(BINARY).compareTo(Files.getLastModifiedTime(SOURCE)) > 0) {
            return BINARY.toAbsolutePath();
        }
        Files.createDirectories(BINARY.getParent());
        // gcc is a build tool, not a workload: ProcessBuilder is fine for it
        Process gcc = new ProcessBuilder("gcc", "-O2", "-Wall", "-o", BINARY.toString(), SOURCE.toString())
                .redirectErrorStream(true).start();
        String out = new String(gcc.getInputStream().readAllBytes());
        if (!gcc.waitFor(60, TimeUnit.SECONDS) || gcc.exitValue() != 0) {
            throw new IOException("gcc failed: " + out);
        }
        return BINARY.toAbsolutePath();
    }

    /** Starts the workload (in the cgroups given) and waits until its buffer is filled. */
    public static PatternWorkload start(int mib, long seed, List<Path> cgroupProcs, Path logDir, long timeoutMillis)
            throws Exception {
        Path bin = binary();
        Path log = logDir.resolve("pattern-" + System.nanoTime() + ".log");
        int pid = Spawner.spawn(new SpawnRequest(List.of(bin.toString(), Integer.toString(mib), Long.toString(seed)),
                null, log, cgroupProcs));
        PatternWorkload w = null;
        long deadline = System.currentTimeMillis() + timeoutMillis;
        try {
            while (System.currentTimeMillis() < deadline) {
                String text = Files.exists(log) ? Files.readString(log) : "";
                if (text.contains("READY")) {
                    String[] buf = text.lines().filter(l -> l.startsWith("BUF ")).findFirst().orElseThrow().split(" ");
                    w = new PatternWorkload(pid, seed, Long.parseUnsignedLong(buf[1], 16), Long.parseLong(buf[2]), log);
                    return w;
                }
                Thread.sleep(10);
            }
            throw new AssertionError("workload not READY within " + timeoutMillis + " ms: " + Files.readString(log));
        } finally {
            if (w == null) {
                kill(pid);
            }
        }
    }

    /** The expected content of the 8-byte word at {@code address}. */
    public long expected(long wordAddress) {
        return wordAddress ^ seed;
    }

    /** Asks the workload to check its own memory; returns its verdict line (PASS or FAIL ...). */
    public String selfCheck(long timeoutMillis) throws Exception {
        long before = Files.readString(log).lines().filter(l -> l.startsWith("PASS") || l.startsWith("FAIL")).count();
        LibC.INSTANCE.kill(pid, 10);
        long deadline = System.currentTimeMillis() + timeoutMillis;
        while (System.currentTimeMillis() < deadline) {
            List<String> verdicts = Files.readString(log).lines()
                    .filter(l -> l.startsWith("PASS") || l.startsWith("FAIL")).toList();
            if (verdicts.size() > before) {
                return verdicts.get(verdicts.size() - 1);
            }
            Thread.sleep(10);
        }
        return "no verdict within " + timeoutMillis + " ms";
    }

    /**
     * Checks, byte for byte, that the image's page file holds the pattern for every page of the
     * buffer, and returns how many buffer pages the index covers.
     */
    public long verifyImage(Path image) throws IOException {
        Path pagesFile = image.resolve(ImageFormat.pagesFile(pid));
        long[] covered = {0};
        try (FileChannel pages = FileChannel.open(pagesFile, StandardOpenOption.READ)) {
            ByteBuffer page = ByteBuffer.allocate(ImageFormat.PAGE_SIZE).order(ByteOrder.nativeOrder());
            PageIndexReader.forEach(image.resolve(ImageFormat.pageIndexFile(pid)), (PageRun run) -> {
                for (long p = 0; p < run.pages(); p++) {
                    long va = run.vaddr() + p * ImageFormat.PAGE_SIZE;
                    if (va < address || va >= address + length) {
                        continue;
                    }
                    try {
                        page.clear();
                        long pos = run.fileOffset() + p * ImageFormat.PAGE_SIZE;
                        while (page.hasRemaining()) {
                            if (pages.read(page, pos + page.position()) < 0) {
                                throw new AssertionError("page file ends before offset " + pos);
                            }
                        }
                        page.flip();
                        for (int w = 0; w < ImageFormat.PAGE_SIZE / 8; w++) {
                            long word = page.getLong();
                            long wa = va + w * 8L;
                            if (word != expected(wa)) {
                                throw new AssertionError("image word at 0x" + Long.toHexString(wa) + " (" + run.kind()
                                        + " run at file offset " + pos + ") is 0x" + Long.toHexString(word)
                                        + ", expected 0x" + Long.toHexString(expected(wa)));
                            }
                        }
                        covered[0]++;
                    } catch (IOException e) {
                        throw new UncheckedIOException(e);
                    }
                }
            });
        }
        return covered[0];
    }

    @Override
    public void close() {
        kill(pid);
    }

    private static void kill(int pid) {
        try {
            LibC.INSTANCE.kill(pid, 9);
        } catch (LastErrorException ignored) {
            // gone
        }
        IntByReference status = new IntByReference();
        long deadline = System.currentTimeMillis() + 5000;
        while (System.currentTimeMillis() < deadline) {
            try {
                if (LibC.INSTANCE.waitpid(pid, status, LibC.WNOHANG) == pid) {
                    return;
                }
            } catch (LastErrorException e) {
                return; // ECHILD
            }
            try {
                Thread.sleep(2);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }
}
