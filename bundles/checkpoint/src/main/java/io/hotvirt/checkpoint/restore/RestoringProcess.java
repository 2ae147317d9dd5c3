package io.hotvirt.checkpoint.restore;

import io.hotvirt.linux.ptrace.ProcessMemory;
import io.hotvirt.linux.ptrace.SyscallInjector;
import io.hotvirt.linux.ptrace.Tracer;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;

/**
 * A process being restored: every thread in a ptrace-stop under {@code tracer}, syscalls run inside
 * it by {@code injector}, and a private read-write scratch area of {@link #SCRATCH_BYTES} at
 * {@code scratch} (outside every area the image restores) for syscall arguments: paths, structs.
 *
 * @param pid   the process as this (the tracer's) PID namespace numbers it: for /proc, ptrace
 * @param tids  the threads made so far, the main thread (tid = pid) first, numbered likewise
 * @param inner the number the process's own PID namespace gives a pid or tid of {@code tids}, where it
 *              differs (a restore into a fresh PID namespace): what syscalls run inside it must use
 */
public record RestoringProcess(Tracer tracer, int pid, List<Integer> tids, SyscallInjector injector, long scratch,
                               Map<Integer, Integer> inner) {

    /** Bytes of the scratch area a restorer may use. */
    public static final int SCRATCH_BYTES = 12 * 1024;

    public RestoringProcess {
        tids = List.copyOf(tids);
        inner = Map.copyOf(inner);
    }

    public RestoringProcess(Tracer tracer, int pid, List<Integer> tids, SyscallInjector injector, long scratch) {
        this(tracer, pid, tids, injector, scratch, Map.of());
    }

    /** {@code id} (this namespace's pid or tid) as the process itself knows it. */
    public int inner(int id) {
        return inner.getOrDefault(id, id);
    }

    /** Runs a syscall in the main thread; see {@link SyscallInjector#call}. */
    public long call(String name, long number, long... args) throws IOException {
        return injector.call(pid, name, number, args);
    }

    /** Runs a syscall in thread {@code tid}; see {@link SyscallInjector#call}. */
    public long call(int tid, String name, long number, long... args) throws IOException {
        return injector.call(tid, name, number, args);
    }

    /** Runs a syscall in the main thread and returns the raw result, a negative errno included. */
    public long callRaw(String name, long number, long... args) throws IOException {
        return injector.callRaw(pid, name, number, args);
    }

    /** Writes {@code bytes} into the process at {@code address} (process_vm_writev: the page must be writable). */
    public void write(long address, byte[] bytes) throws IOException {
        ProcessMemory.write(pid, address, bytes);
    }

    /** Writes a NUL-terminated path at {@code scratch + offset} and returns its address. */
    public long writeString(int offset, String s) throws IOException {
        byte[] b = (s + "\0").getBytes(StandardCharsets.UTF_8);
        if (offset < 0 || offset + b.length > SCRATCH_BYTES) {
            throw new IOException("a path of " + b.length + " bytes does not fit in the restore scratch area: " + s);
        }
        write(scratch + offset, b);
        return scratch + offset;
    }

    public RestoringProcess withTids(List<Integer> threads, Map<Integer, Integer> innerIds) {
        return new RestoringProcess(tracer, pid, threads, injector, scratch, innerIds);
    }
}
