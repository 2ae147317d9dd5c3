package io.hotvirt.linux.process;

import com.sun.jna.LastErrorException;
import com.sun.jna.Memory;
import com.sun.jna.Pointer;
import io.hotvirt.linux.jna.Errno;
import io.hotvirt.linux.jna.Syscall;
import io.hotvirt.linux.jna.LibC;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/**
 * Gives memory advice to another process: process_madvise(2) (Linux 5.10+) through a pidfd, so the
 * advice cannot reach a newer process that reuses the pid. Ranges are sent as iovecs, in batches the
 * kernel takes (at most {@value #MAX_IOVECS} iovecs and {@link #MAX_BATCH_BYTES} bytes per call). A
 * range the kernel refuses (unmapped meanwhile, mlocked, a PFN mapping) is skipped and reported;
 * the others are still advised.
 *
 * <p>The caller needs CAP_SYS_NICE and ptrace read access to the process (root has both).
 * MADV_PAGEOUT and MADV_COLD never read or change page contents: paged out memory comes back from
 * swap on the next touch.
 */
public final class ProcessMadvise {

    /** process_madvise on x86-64. */

    /** Deactivate: the pages become the first candidates for reclaim. */
    public static final int MADV_COLD = 20;
    /** Reclaim now: write anonymous pages to swap, drop clean file pages. */
    public static final int MADV_PAGEOUT = 21;
    /** Read ahead (file pages) or swap in. */
    public static final int MADV_WILLNEED = 3;

    /** UIO_MAXIOV. */
    static final int MAX_IOVECS = 1024;
    /** MAX_RW_COUNT (INT_MAX rounded down to a page): the most one call advises. */
    static final long MAX_BATCH_BYTES = Integer.MAX_VALUE & ~4095L;

    /** A page-aligned address range. */
    public record Range(long address, long length) {
        public Range {
            if (length <= 0) {
                throw new IllegalArgumentException("empty range at 0x" + Long.toHexString(address));
            }
        }

        long end() {
            return address + length;
        }
    }

    /** A range the kernel refused, with why. */
    public record Skipped(Range range, int errno) {
        @Override
        public String toString() {
            return String.format("0x%x-0x%x: %s", range.address(), range.end(), Errno.describe(errno));
        }
    }

    /**
     * @param bytesAdvised the bytes the kernel took the advice for (for MADV_PAGEOUT: the size of the
     *                     ranges walked, not the bytes that actually went to swap)
     * @param calls        process_madvise calls made
     * @param skipped      ranges the kernel refused
     */
    public record Result(long bytesAdvised, int calls, List<Skipped> skipped) {
        public Result {
            skipped = List.copyOf(skipped);
        }
    }

    private ProcessMadvise() {
    }

    /** Opens a pidfd for {@code pid} and advises the ranges; see {@link #advise(PidFd, List, int)}. */
    public static Result advise(int pid, List<Range> ranges, int advice) throws IOException {
        try (PidFd pidfd = PidFd.open(pid)) {
            return advise(pidfd, ranges, advice);
        }
    }

    /**
     * Advises every range, in batches. Ranges longer than one call allows are split.
     *
     * @throws IOException if the process has exited, the caller lacks the privilege, or the kernel
     *                     does not support process_madvise or this advice
     */
    public static Result advise(PidFd pidfd, List<Range> ranges, int advice) throws IOException {
        List<Range> pending = split(ranges);
        List<Skipped> skipped = new ArrayList<>();
        long advised = 0;
        int calls = 0;
        int next = 0;
        while (next < pending.size()) {
            List<Range> batch = batch(pending, next);
            long total = batch.stream().mapToLong(Range::length).sum();
            calls++;
            long done;
            try {
                done = call(pidfd, batch, advice);
            } catch (LastErrorException e) {
                int errno = e.getErrorCode();
                if (errno == Errno.EINTR || errno == Errno.EAGAIN) {
                    continue; // retry the same batch
                }
                if (!perRange(errno)) {
                    throw error(pidfd.pid(), advice, errno, e);
                }
                // the first range of the batch failed: skip it, go on with the rest
                skipped.add(new Skipped(batch.get(0), errno));
                next++;
                continue;
            }
            advised += done;
            if (done >= total) {
                next += batch.size();
                continue;
            }
            // The kernel stops at the first range it refuses and returns the bytes of the ranges
            // before it: step over those, and let the next call report the refused one's errno.
            long left = done;
            int whole = 0;
            while (whole < batch.size() && left >= batch.get(whole).length()) {
                left -= batch.get(whole).length();
                whole++;
            }
            if (whole == 0) {
                // nothing advised and no error: treat the first range as refused
                skipped.add(new Skipped(batch.get(0), Errno.EINVAL));
                next++;
            } else {
                next += whole;
            }
        }
        return new Result(advised, calls, skipped);
    }

    /** Errors that belong to one range rather than to the call as a whole. */
    private static boolean perRange(int errno) {
        return errno == Errno.ENOMEM || errno == Errno.EINVAL || errno == Errno.EFAULT || errno == Errno.EBUSY
                || errno == Errno.EIO;
    }

    private static long call(PidFd pidfd, List<Range> batch, int advice) {
        Memory iov = new Memory(16L * batch.size());
        for (int i = 0; i < batch.size(); i++) {
            iov.setLong(16L * i, batch.get(i).address());
            iov.setLong(16L * i + 8, batch.get(i).length());
        }
        // process_madvise(pidfd, iovec, vlen, advice, flags = 0). LibC's five-argument syscall has
        // pointer types in places 3 and 5: the iovec goes by address, vlen as a constant pointer.
        long n = LibC.INSTANCE.syscall(Syscall.PROCESS_MADVISE, pidfd.fd(), Pointer.nativeValue(iov),
                Pointer.createConstant(batch.size()), advice, null);
        iov.close(); // keeps iov reachable until after the call
        return n;
    }

    /** Ranges no longer than one call takes. */
    static List<Range> split(List<Range> ranges) {
        List<Range> out = new ArrayList<>(ranges.size());
        for (Range r : ranges) {
            long at = r.address();
            long left = r.length();
            while (left > MAX_BATCH_BYTES) {
                out.add(new Range(at, MAX_BATCH_BYTES));
                at += MAX_BATCH_BYTES;
                left -= MAX_BATCH_BYTES;
            }
            out.add(new Range(at, left));
        }
        return out;
    }

    /** The longest run from {@code from} within the iovec and byte limits (at least one range). */
    static List<Range> batch(List<Range> ranges, int from) {
        long bytes = 0;
        int to = from;
        while (to < ranges.size() && to - from < MAX_IOVECS && bytes + ranges.get(to).length() <= MAX_BATCH_BYTES) {
            bytes += ranges.get(to).length();
            to++;
        }
        return ranges.subList(from, Math.max(to, from + 1));
    }

    private static IOException error(int pid, int advice, int errno, Throwable cause) {
        String call = "process_madvise(" + pid + ", advice " + advice + ")";
        return switch (errno) {
            case Errno.ESRCH -> new IOException(call + ": process " + pid + " does not exist (it has exited)", cause);
            case Errno.EPERM -> new IOException(call + ": permission denied — advising another process's memory"
                    + " needs CAP_SYS_NICE and ptrace access to it: start Karaf as root", cause);
            case Errno.ENOSYS -> new IOException(call + ": the kernel has no process_madvise — hotvirt needs Linux"
                    + " 5.10 or later for this", cause);
            default -> PidFd.error(call, pid, errno, cause);
        };
    }
}
