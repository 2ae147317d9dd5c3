package io.hotvirt.linux.proc;

import io.hotvirt.linux.jna.LibC;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * The facade over /proc. The basic readers ({@link #stat}, {@link #cmdline}, {@link #cgroups},
 * {@link #tasks}, {@link #descendants}) treat a process that has exited as empty and never throw a
 * checked exception: processes vanish at any moment and callers re-check anyway. The readers for
 * checkpointing ({@link #maps}, {@link #fds}, {@link #pagemap}) throw, since a process vanishing
 * in the middle of a dump is an error there. Other I/O failures surface as
 * {@link java.io.UncheckedIOException}.
 */
public final class Procfs {

    private static volatile long ticksPerSecond;
    private static volatile long pageSize;

    private Procfs() {
    }

    /** {@code /proc/PID/stat}, or empty if there is no such process. */
    public static Optional<ProcStat> stat(int pid) {
        return ProcFiles.text(ProcFiles.of(pid, "stat")).map(ProcStat::parse);
    }

    /** {@code /proc/PID/task/TID/stat} of one thread, or empty if it is gone. */
    public static Optional<ProcStat> taskStat(int pid, int tid) {
        return ProcFiles.text(ProcFiles.of(pid, "task", Integer.toString(tid), "stat")).map(ProcStat::parse);
    }

    /**
     * True if the process with this pid is the one that started at {@code startTimeTicks} (guarding
     * against PID reuse) and is not a zombie.
     */
    public static boolean alive(int pid, long startTimeTicks) {
        return stat(pid).map(s -> s.startTimeTicks() == startTimeTicks && !s.dead()).orElse(false);
    }

    /** Every live descendant of {@code pid}, excluding pid itself; empty if pid is gone. */
    public static Set<Integer> descendants(int pid) {
        return ProcessTree.descendants(pid);
    }

    /** The live direct children of {@code pid}. */
    public static Set<Integer> children(int pid) {
        return ProcessTree.children(pid);
    }

    /** Every pid in /proc (processes, not threads), ascending. */
    public static List<Integer> pids() {
        return ProcFiles.numbers(ProcFiles.PROC);
    }

    /** The arguments; empty for a kernel thread, a zombie or a process that is gone. */
    public static List<String> cmdline(int pid) {
        byte[] raw = ProcFiles.bytes(ProcFiles.of(pid, "cmdline")).orElse(new byte[0]);
        List<String> args = new ArrayList<>();
        int start = 0;
        for (int i = 0; i < raw.length; i++) {
            if (raw[i] == 0) {
                args.add(new String(raw, start, i - start, StandardCharsets.UTF_8));
                start = i + 1;
            }
        }
        if (start < raw.length) { // a process that rewrote its argv may drop the final NUL
            args.add(new String(raw, start, raw.length - start, StandardCharsets.UTF_8));
        }
        return args;
    }

    /** {@code /proc/PID/cgroup}, one entry per hierarchy; empty if the process is gone. */
    public static List<CgroupEntry> cgroups(int pid) {
        List<CgroupEntry> out = new ArrayList<>();
        for (String line : ProcFiles.text(ProcFiles.of(pid, "cgroup")).orElse("").split("\n")) {
            if (!line.isBlank()) {
                out.add(CgroupEntry.parse(line));
            }
        }
        return out;
    }

    /** The thread ids of the process, ascending; empty if it is gone. */
    public static List<Integer> tasks(int pid) {
        return ProcFiles.numbers(ProcFiles.of(pid, "task"));
    }

    /** {@code /proc/PID/status}, or empty if there is no such process. */
    public static Optional<ProcStatus> status(int pid) {
        return ProcFiles.text(ProcFiles.of(pid, "status")).map(ProcStatus::parse);
    }

    /** {@code /proc/PID/task/TID/status} of one thread (its own signal masks), or empty. */
    public static Optional<ProcStatus> taskStatus(int pid, int tid) {
        return ProcFiles.text(ProcFiles.of(pid, "task", Integer.toString(tid), "status")).map(ProcStatus::parse);
    }

    /** The current directory ({@code /proc/PID/cwd}), or empty. */
    public static Optional<String> cwd(int pid) {
        return ProcFiles.link(ProcFiles.of(pid, "cwd"));
    }

    /** The executable ({@code /proc/PID/exe}), or empty (also for kernel threads). */
    public static Optional<String> exe(int pid) {
        return ProcFiles.link(ProcFiles.of(pid, "exe"));
    }

    /** The memory areas, in address order. */
    public static List<MemoryMapping> maps(int pid) throws IOException {
        List<MemoryMapping> out = new ArrayList<>();
        for (String line : ProcFiles.require(ProcFiles.of(pid, "maps"), pid).split("\n")) {
            if (!line.isBlank()) {
                out.add(MemoryMapping.parse(line));
            }
        }
        return out;
    }

    /** Opens the page map; close it when done. */
    public static Pagemap pagemap(int pid) throws IOException {
        return Pagemap.open(pid);
    }

    /** Every open file descriptor; one closed while listing is left out. */
    public static List<FdInfo> fds(int pid) throws IOException {
        Path dir = ProcFiles.of(pid, "fd");
        ProcFiles.require(ProcFiles.of(pid, "stat"), pid); // a clear error if the process is gone
        List<FdInfo> out = new ArrayList<>();
        for (int fd : ProcFiles.numbers(dir)) {
            fd(pid, fd).ifPresent(out::add);
        }
        return out;
    }

    /** One file descriptor, or empty if it is not open. */
    public static Optional<FdInfo> fd(int pid, int fd) {
        String n = Integer.toString(fd);
        Optional<String> target = ProcFiles.link(ProcFiles.of(pid, "fd", n));
        Optional<String> info = ProcFiles.text(ProcFiles.of(pid, "fdinfo", n));
        if (target.isEmpty() || info.isEmpty()) {
            return Optional.empty();
        }
        return Optional.of(FdInfo.parse(fd, target.get(), info.get()));
    }

    /** Clock ticks per second for the tick fields of stat (sysconf _SC_CLK_TCK, normally 100). */
    public static long ticksPerSecond() {
        long t = ticksPerSecond;
        if (t == 0) {
            t = LibC.INSTANCE.sysconf(LibC._SC_CLK_TCK);
            ticksPerSecond = t = t > 0 ? t : 100;
        }
        return t;
    }

    /** The page size in bytes (sysconf _SC_PAGESIZE, 4096 on x86-64). */
    public static long pageSize() {
        long p = pageSize;
        if (p == 0) {
            p = LibC.INSTANCE.sysconf(LibC._SC_PAGESIZE);
            pageSize = p = p > 0 ? p : 4096;
        }
        return p;
    }

    /**
     * A /proc/sys value, e.g. {@code sysctl("kernel/cap_last_cap")}, stripped. Read as one stream:
     * such files answer a read at a non-zero offset with end-of-file, and Files.readString reads the
     * first byte on its own when the file reports size 0, so it would see "4" of "40".
     */
    public static String sysctl(String name) throws IOException {
        try (java.io.InputStream in = java.nio.file.Files.newInputStream(java.nio.file.Path.of("/proc/sys", name))) {
            return new String(in.readNBytes(4096), java.nio.charset.StandardCharsets.UTF_8).strip();
        }
    }
}
