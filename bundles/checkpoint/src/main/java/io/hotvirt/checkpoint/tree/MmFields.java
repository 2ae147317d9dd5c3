package io.hotvirt.checkpoint.tree;

import java.util.List;
import java.util.Optional;

/**
 * The mm fields a restore hands to {@code prctl(PR_SET_MM, PR_SET_MM_MAP)}, plus the exit code
 * and the kernel-provided areas.
 *
 * <p>From {@code /proc/PID/stat} (proc(5) fields 26–28 and 45–52; the kernel shows them only to a
 * reader with ptrace access, root here): startCode, endCode, startStack, startData, endData,
 * startBrk, argStart, argEnd, envStart, envEnd, exitCode (task-&gt;exit_code: 0 for a running process,
 * the stop signal for one stopped by job control, e.g. 19 after SIGSTOP).
 *
 * <p>{@code brk}, the current program break, is not in any /proc file. It is taken as the end of
 * the {@code [heap]} mapping in /proc/PID/maps, or {@code startBrk} when there is no [heap] (the
 * break never moved, or moved back). The [heap] end is the break rounded up to a page: the exact
 * mm-&gt;brk may be up to a page lower; only an injected {@code brk(0)} reads it exactly. A restore
 * that sets brk to the page-aligned end keeps every heap byte mapped, so this is safe.
 *
 * @param auxv          {@code /proc/PID/auxv} as (type, value) pairs up to and excluding AT_NULL
 * @param kernelAreas   the [vdso], [vvar], [vvar_vclock] and [vsyscall] areas as in maps
 */
public record MmFields(long startCode, long endCode, long startStack, long startData, long endData, long startBrk,
                       long brk, long argStart, long argEnd, long envStart, long envEnd, int exitCode,
                       List<AuxEntry> auxv, List<KernelArea> kernelAreas) {

    /** How brk was found; written with the record. */
    public static final String BRK_SOURCE = "brk = end of the [heap] mapping in /proc/PID/maps (page-aligned),"
            + " or start_brk from /proc/PID/stat when there is no [heap]";

    public MmFields {
        auxv = List.copyOf(auxv);
        kernelAreas = List.copyOf(kernelAreas);
    }

    /** A kernel-provided area: name as in maps ({@code [vdso]}), start and end. */
    public record KernelArea(String name, long start, long end) {
    }

    /** The same fields with the argument strings at {@code start}..{@code end}. */
    public MmFields withArguments(long start, long end) {
        return new MmFields(startCode, endCode, startStack, startData, endData, startBrk, brk, start, end, envStart,
                envEnd, exitCode, auxv, kernelAreas);
    }

    public Optional<KernelArea> area(String name) {
        return kernelAreas.stream().filter(a -> a.name().equals(name)).findFirst();
    }

    public Optional<Long> aux(long type) {
        return auxv.stream().filter(a -> a.type() == type).map(AuxEntry::value).findFirst();
    }

    public String brkSource() {
        return BRK_SOURCE;
    }
}
