package io.hotvirt.checkpoint.tree;

import io.hotvirt.linux.proc.MemoryMapping;
import io.hotvirt.linux.proc.ProcStat;
import io.hotvirt.linux.proc.ProcStatus;
import io.hotvirt.linux.proc.Procfs;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * Reads the process records of a domain from /proc. The processes should be stopped (frozen,
 * seized or SIGSTOPped) by the caller; a process that vanishes while being read is an error.
 */
public final class TreeReader {

    private static final Set<String> KERNEL_AREAS = Set.of("[vdso]", "[vvar]", "[vvar_vclock]", "[vsyscall]");

    private TreeReader() {
    }

    /** Every process of {@code pids}, parents before children (then by pid). */
    public static List<ProcessRecord> read(Collection<Integer> pids) throws IOException {
        Map<Integer, ProcessRecord> byPid = new HashMap<>();
        for (int pid : new TreeSet<>(pids)) {
            byPid.put(pid, read(pid));
        }
        return parentsFirst(byPid);
    }

    /**
     * Orders records so that every process comes after its parent when the parent is among them;
     * roots and siblings by ascending pid.
     */
    static List<ProcessRecord> parentsFirst(Map<Integer, ProcessRecord> byPid) {
        Map<Integer, List<Integer>> children = new HashMap<>();
        TreeSet<Integer> roots = new TreeSet<>();
        for (ProcessRecord r : byPid.values()) {
            if (byPid.containsKey(r.ppid()) && r.ppid() != r.pid()) {
                children.computeIfAbsent(r.ppid(), k -> new ArrayList<>()).add(r.pid());
            } else {
                roots.add(r.pid());
            }
        }
        List<ProcessRecord> out = new ArrayList<>();
        for (int root : roots) {
            visit(root, byPid, children, out);
        }
        if (out.size() != byPid.size()) { // a cycle cannot happen with real ppids
            throw new IllegalStateException("process tree has a cycle: " + byPid.keySet());
        }
        return out;
    }

    private static void visit(int pid, Map<Integer, ProcessRecord> byPid, Map<Integer, List<Integer>> children,
                              List<ProcessRecord> out) {
        // breadth-first: all of a level before the next, so parents-first holds also across subtrees
        List<Integer> level = List.of(pid);
        while (!level.isEmpty()) {
            List<Integer> next = new ArrayList<>();
            for (int p : level) {
                out.add(byPid.get(p));
                next.addAll(children.getOrDefault(p, List.of()));
            }
            next.sort(null);
            level = next;
        }
    }

    /** One process. */
    public static ProcessRecord read(int pid) throws IOException {
        Path dir = Path.of("/proc", Integer.toString(pid));
        String statLine = text(dir.resolve("stat"), pid);
        ProcStat stat = ProcStat.parse(statLine);
        ProcStatus status = ProcStatus.parse(text(dir.resolve("status"), pid));
        List<Integer> threads = Procfs.tasks(pid);
        String umaskText = status.field("Umask");
        int umask = umaskText == null ? -1 : Integer.parseInt(umaskText.trim(), 8);
        List<Rlimit> rlimits = Rlimit.parseLimits(text(dir.resolve("limits"), pid));
        String cwd = link(dir.resolve("cwd"), pid);
        String root = link(dir.resolve("root"), pid);
        String exe = link(dir.resolve("exe"), pid);
        List<MemoryMapping> maps = Procfs.maps(pid);
        MmFields mm = mm(statLine, maps, bytes(dir.resolve("auxv"), pid));
        return new ProcessRecord(pid, stat.ppid(), stat.pgrp(), stat.session(), threads,
                Credentials.of(status.uids(), status.gids(), status.groups()), cwd, root, umask, rlimits,
                stat.comm(), exe, mm, Privileges.of(status));
    }

    /** The mm fields from a stat line, the maps and the raw auxv. */
    static MmFields mm(String statLine, List<MemoryMapping> maps, byte[] auxv) {
        int close = statLine.lastIndexOf(')');
        String[] f = statLine.substring(close + 1).trim().split(" ");
        if (f.length < 50) { // field 52 is f[49]
            throw new IllegalArgumentException("stat line without the mm fields (kernel < 3.5?): " + statLine);
        }
        long startCode = field(f, 26);
        long endCode = field(f, 27);
        long startStack = field(f, 28);
        long startData = field(f, 45);
        long endData = field(f, 46);
        long startBrk = field(f, 47);
        long argStart = field(f, 48);
        long argEnd = field(f, 49);
        long envStart = field(f, 50);
        long envEnd = field(f, 51);
        int exitCode = (int) field(f, 52);
        long brk = startBrk;
        List<MmFields.KernelArea> kernel = new ArrayList<>();
        for (MemoryMapping m : maps) {
            if (m.path().equals("[heap]")) {
                brk = m.end();
            } else if (KERNEL_AREAS.contains(m.path())) {
                kernel.add(new MmFields.KernelArea(m.path(), m.start(), m.end()));
            }
        }
        return new MmFields(startCode, endCode, startStack, startData, endData, startBrk, brk, argStart, argEnd,
                envStart, envEnd, exitCode, auxv(auxv), kernel);
    }

    /** Field n in proc(5)'s numbering (1 = pid); f[0] is field 3. Addresses are unsigned. */
    private static long field(String[] f, int n) {
        return Long.parseUnsignedLong(f[n - 3]);
    }

    /** Native-endian (type, value) pairs of unsigned longs up to AT_NULL. */
    static List<AuxEntry> auxv(byte[] raw) {
        ByteBuffer b = ByteBuffer.wrap(raw).order(ByteOrder.nativeOrder());
        List<AuxEntry> out = new ArrayList<>();
        while (b.remaining() >= 16) {
            long type = b.getLong();
            long value = b.getLong();
            if (type == AuxEntry.AT_NULL) {
                break;
            }
            out.add(new AuxEntry(type, value));
        }
        return out;
    }

    private static String text(Path file, int pid) throws IOException {
        return new String(bytes(file, pid), StandardCharsets.UTF_8);
    }

    private static byte[] bytes(Path file, int pid) throws IOException {
        try {
            return Files.readAllBytes(file);
        } catch (NoSuchFileException e) {
            throw gone(file, pid, e);
        } catch (IOException e) {
            if (e.getMessage() != null && e.getMessage().contains("No such process")) {
                throw gone(file, pid, e);
            }
            throw e;
        }
    }

    private static String link(Path link, int pid) throws IOException {
        try {
            return Files.readSymbolicLink(link).toString();
        } catch (NoSuchFileException e) {
            throw gone(link, pid, e);
        }
    }

    private static IOException gone(Path file, int pid, IOException cause) {
        IOException e = new NoSuchFileException(file.toString(), null,
                "process " + pid + " does not exist (it has exited)");
        e.initCause(cause);
        return e;
    }
}
