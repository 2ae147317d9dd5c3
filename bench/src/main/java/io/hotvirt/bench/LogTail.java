package io.hotvirt.bench;

import io.hotvirt.linux.jna.LibC;
import io.hotvirt.linux.proc.Procfs;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.concurrent.locks.LockSupport;

/**
 * The new lines of a workload's log, from where it ended when this was made: signals the workload
 * and times its answer to well under a millisecond (polls the file size every ~50 µs).
 */
final class LogTail {

    /** pause(2) on x86-64: the pattern workload sleeps in it between signals. */
    private static final String NR_PAUSE = "34";
    private static final long POLL_NANOS = 20_000;

    /** The answer line, when the signal was sent and when the line was seen (System.nanoTime). */
    record Answer(String line, long sentNanos, long seenNanos) {
        double millis() {
            return (seenNanos - sentNanos) / 1e6;
        }
    }

    private final Path log;
    private long offset;
    private final StringBuilder partial = new StringBuilder();

    LogTail(Path log) throws IOException {
        this.log = log;
        this.offset = Files.size(log);
    }

    /**
     * Waits until the workload sleeps in pause() (so that its main loop cannot miss the signal), sends
     * {@code signal}, and waits for a line starting with one of {@code prefixes}.
     *
     * @throws IOException if the workload dies or does not answer in time, with its log
     */
    Answer signalAndAwait(int pid, int signal, long timeoutMillis, String... prefixes) throws IOException {
        long deadline = System.nanoTime() + timeoutMillis * 1_000_000;
        while (!inPause(pid)) {
            check(pid, deadline, "sleep in pause()");
            Thread.onSpinWait();
        }
        long sent = System.nanoTime();
        LibC.INSTANCE.kill(pid, signal);
        while (true) {
            String line = next(prefixes);
            if (line != null) {
                return new Answer(line, sent, System.nanoTime());
            }
            check(pid, deadline, "answer signal " + signal);
            LockSupport.parkNanos(POLL_NANOS);
        }
    }

    private void check(int pid, long deadline, String what) throws IOException {
        if (Procfs.stat(pid).map(s -> s.dead()).orElse(true)) {
            throw new IOException("process " + pid + " is gone instead of having to " + what + "; log: "
                    + Files.readString(log));
        }
        if (System.nanoTime() > deadline) {
            throw new IOException("process " + pid + " did not " + what + " in time; log: " + Files.readString(log));
        }
    }

    private static boolean inPause(int pid) {
        try {
            return Files.readString(Path.of("/proc", Integer.toString(pid), "syscall")).startsWith(NR_PAUSE + " ");
        } catch (IOException e) {
            return false;
        }
    }

    /** The first complete new line starting with one of the prefixes, or null; other lines are passed over. */
    private String next(String... prefixes) throws IOException {
        long size = Files.size(log);
        if (size > offset) {
            try (FileChannel ch = FileChannel.open(log, StandardOpenOption.READ)) {
                ByteBuffer buf = ByteBuffer.allocate((int) (size - offset));
                while (buf.hasRemaining() && ch.read(buf, offset + buf.position()) > 0) {
                    // read on
                }
                offset += buf.position();
                partial.append(new String(buf.array(), 0, buf.position(), StandardCharsets.UTF_8));
            }
        }
        int nl;
        while ((nl = partial.indexOf("\n")) >= 0) {
            String line = partial.substring(0, nl).strip();
            partial.delete(0, nl + 1);
            for (String p : prefixes) {
                if (line.startsWith(p)) {
                    return line;
                }
            }
        }
        return null;
    }
}
