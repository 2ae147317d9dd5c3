package io.hotvirt.checkpoint.testing;

import io.hotvirt.checkpoint.ProcessCheckpoint;
import io.hotvirt.checkpoint.image.ImageFormat;
import io.hotvirt.checkpoint.image.PageIndexReader;
import io.hotvirt.checkpoint.image.PageRun;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;

/**
 * The pattern.c workload: a buffer of words each holding (its address XOR seed), filled before READY
 * and checked by the workload itself on SIGUSR1.
 */
public final class PatternWorkload implements AutoCloseable {

    public final int pid;
    public final long seed;
    public final long address;
    public final long length;
    private final CWorkload process;

    private PatternWorkload(CWorkload process, long seed) {
        this.process = process;
        this.pid = process.pid;
        this.seed = seed;
        String[] buf = process.fields("BUF"); // BUF <hex address> <length>
        this.address = Long.parseUnsignedLong(buf[1], 16);
        this.length = Long.parseLong(buf[2]);
    }

    public static Path binary() throws IOException, InterruptedException {
        return CWorkload.binary("pattern");
    }

    /** Starts the workload (in the cgroups given) and waits until its buffer is filled. */
    public static PatternWorkload start(int mib, long seed, List<Path> cgroupProcs, Path logDir, long timeoutMillis)
            throws Exception {
        return CWorkload.start(List.of(binary().toString(), Integer.toString(mib), Long.toString(seed)),
                cgroupProcs, logDir.resolve("pattern-" + System.nanoTime() + ".log"), timeoutMillis,
                w -> w.log().contains("READY")).into(w -> new PatternWorkload(w, seed));
    }

    /** The expected content of the 8-byte word at {@code address}. */
    public long expected(long wordAddress) {
        return wordAddress ^ seed;
    }

    /** Everything the workload printed so far. */
    public String log() {
        return process.log();
    }

    /** Asks the workload to check its own memory; returns its verdict line (PASS or FAIL ...). */
    public String selfCheck(long timeoutMillis) {
        return process.selfCheck(timeoutMillis);
    }

    /** SIGSTOP and SIGCONT: the way a single-process dump holds it still. */
    public ProcessCheckpoint.Stopper stopper() {
        return process.stopper();
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
        process.close();
    }
}
