package io.hotvirt.linux.proc;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The fields hotvirt uses from {@code /proc/PID/status}; every other line stays readable through
 * {@link #field(String)}.
 *
 * @param uids        real, effective, saved and filesystem uid
 * @param gids        real, effective, saved and filesystem gid
 * @param nsPids      the pid in each PID namespace, outermost first (the {@code NSpid} line)
 * @param vmRssBytes  resident memory ({@code VmRSS}, 0 for kernel threads)
 * @param vmSwapBytes swapped out anonymous memory ({@code VmSwap})
 * @param sigPnd      signals pending for the thread, as a mask where bit (n-1) is signal n
 * @param shdPnd      signals pending for the whole process
 * @param sigBlk      blocked signals
 * @param sigIgn      ignored signals
 * @param sigCgt      signals with a handler
 */
public record ProcStatus(String name, char state, int tgid, int pid, int ppid, int tracerPid, List<Integer> uids,
                         List<Integer> gids, List<Integer> groups, List<Integer> nsPids, int threads,
                         long vmRssBytes, long vmSwapBytes, long sigPnd, long shdPnd, long sigBlk, long sigIgn,
                         long sigCgt, Map<String, String> fields) {

    public ProcStatus {
        uids = List.copyOf(uids);
        gids = List.copyOf(gids);
        groups = List.copyOf(groups);
        nsPids = List.copyOf(nsPids);
        fields = Map.copyOf(fields);
    }

    /** The raw value of any status line, e.g. {@code field("CapEff")}, or null. */
    public String field(String key) {
        return fields.get(key);
    }

    /** True if signal {@code sig} (1..64) is set in {@code mask}. */
    public static boolean hasSignal(long mask, int sig) {
        return sig >= 1 && sig <= 64 && (mask & (1L << (sig - 1))) != 0;
    }

    public static ProcStatus parse(String text) {
        Map<String, String> f = new LinkedHashMap<>();
        for (String line : text.split("\n")) {
            int colon = line.indexOf(':');
            if (colon > 0) {
                f.put(line.substring(0, colon), line.substring(colon + 1).strip());
            }
        }
        String state = f.getOrDefault("State", "?");
        return new ProcStatus(f.getOrDefault("Name", ""), state.isEmpty() ? '?' : state.charAt(0),
                integer(f, "Tgid"), integer(f, "Pid"), integer(f, "PPid"), integer(f, "TracerPid"),
                ints(f.get("Uid")), ints(f.get("Gid")), ints(f.get("Groups")), ints(f.get("NSpid")),
                integer(f, "Threads"), kilobytes(f.get("VmRSS")), kilobytes(f.get("VmSwap")),
                mask(f.get("SigPnd")), mask(f.get("ShdPnd")), mask(f.get("SigBlk")), mask(f.get("SigIgn")),
                mask(f.get("SigCgt")), f);
    }

    private static int integer(Map<String, String> f, String key) {
        String v = f.get(key);
        return v == null || v.isEmpty() ? 0 : Integer.parseInt(v);
    }

    private static List<Integer> ints(String v) {
        List<Integer> out = new ArrayList<>();
        if (v != null && !v.isBlank()) {
            for (String s : v.trim().split("\\s+")) {
                out.add(Integer.parseInt(s));
            }
        }
        return out;
    }

    /** "1234 kB" → bytes. */
    private static long kilobytes(String v) {
        if (v == null || v.isBlank()) {
            return 0;
        }
        return Long.parseLong(v.trim().split("\\s+")[0]) * 1024;
    }

    /** Signal masks are 16 hex digits; parseUnsignedLong keeps bit 63 (signal 64). */
    private static long mask(String v) {
        return v == null || v.isBlank() ? 0 : Long.parseUnsignedLong(v.trim(), 16);
    }
}
