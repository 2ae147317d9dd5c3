package io.hotvirt.checkpoint.restore;

import io.hotvirt.linux.jna.Errno;
import io.hotvirt.linux.jna.LibC;
import io.hotvirt.linux.proc.Procfs;
import io.hotvirt.linux.process.SpawnRequest;
import io.hotvirt.linux.process.Spawner;
import io.hotvirt.linux.ptrace.SyscallInjector;
import io.hotvirt.linux.ptrace.Tracer;
import io.hotvirt.linux.ptrace.WaitStatus;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;

/**
 * A husk: a tiny process that only waits ({@code for (;;) pause();}), spawned with {@link Spawner},
 * seized by a {@link Tracer} and stopped, so that restore can run syscalls inside it. The husk is
 * seized with PTRACE_O_TRACEFORK/VFORK/CLONE, so every process it is made to create starts traced
 * and stopped; and with PTRACE_O_EXITKILL, so if the tracer goes away nothing half-restored lives on.
 *
 * <p>{@link #close()} kills the husk and reaps it.
 */
public final class Husk implements AutoCloseable {

    /** The options a husk (and every process cloned from it) is traced with. */
    public static final int OPTIONS = LibC.PTRACE_O_TRACEFORK | LibC.PTRACE_O_TRACEVFORK | LibC.PTRACE_O_TRACECLONE
            | LibC.PTRACE_O_EXITKILL;

    private final Tracer tracer;
    private final int pid;
    private final SyscallInjector injector;

    private Husk(Tracer tracer, int pid) {
        this.tracer = tracer;
        this.pid = pid;
        this.injector = new SyscallInjector(tracer, pid);
    }

    /**
     * Spawns {@code binary} (the husk program), seizes it, waits until it has exec'd and sleeps in
     * pause() and interrupts it. On any failure the husk is killed and reaped.
     */
    public static Husk start(Tracer tracer, Path binary, long timeoutMillis) throws IOException {
        return start(tracer, List.of(binary.toString()), timeoutMillis);
    }

    /**
     * Spawns {@code command} (a program that sleeps, e.g. {@code /usr/bin/sleep infinity}) as the husk.
     *
     * <p>Should hotvirt die while the husk starts, the husk must not sleep on forever: it starts as
     * a shell reading its stdin, a FIFO only this JVM holds open for writing, and becomes the
     * command only once it has been seized with PTRACE_O_EXITKILL (from then on it dies with its
     * tracer) and let through; a JVM that dies before that closes the FIFO, and the shell reads
     * end-of-file and leaves.
     */
    public static Husk start(Tracer tracer, List<String> command, long timeoutMillis) throws IOException {
        Path exe = Path.of(command.get(0)).toAbsolutePath().toRealPath();
        Path gateDir = Files.createTempDirectory("hotvirt-husk"); // 0700
        Path gate = gateDir.resolve("gate");
        Husk husk = null;
        boolean ok = false;
        try (FileChannel open = openGate(gate)) {
            List<String> argv = new java.util.ArrayList<>(List.of("sh", "-c", GATE, "hotvirt-husk", exe.toString()));
            argv.addAll(command.subList(1, command.size()));
            int pid = Spawner.spawn(new SpawnRequest(argv, null, null, List.of()), gate);
            husk = new Husk(tracer, pid);
            tracer.seize(pid, OPTIONS); // a seize sends no SIGTRAP at exec
            open.write(java.nio.ByteBuffer.wrap("go\n".getBytes(java.nio.charset.StandardCharsets.US_ASCII)));
            long deadline = System.currentTimeMillis() + timeoutMillis;
            long pause = 20_000; // ns: exec takes about a millisecond; do not take a core from it
            while (!(Procfs.exe(pid).map(e -> e.equals(exe.toString())).orElse(false)
                    && Procfs.stat(pid).map(s -> s.state() == 'S').orElse(false))) {
                if (Procfs.stat(pid).map(s -> s.dead()).orElse(true)) {
                    throw new IOException("husk " + exe + " (process " + pid + ") exited before it could be seized");
                }
                if (System.currentTimeMillis() > deadline) {
                    throw new IOException("husk " + exe + " (process " + pid + ") did not start within "
                            + timeoutMillis + " ms");
                }
                java.util.concurrent.locks.LockSupport.parkNanos(pause);
                pause = Math.min(pause * 2, 1_000_000);
            }
            tracer.interrupt(pid);
            int status = tracer.waitStop(pid, timeoutMillis);
            if (!WaitStatus.stopped(status)) {
                throw new IOException("husk process " + pid + " " + WaitStatus.describe(status) + " while being seized");
            }
            ok = true;
            return husk;
        } finally {
            if (!ok && husk != null) {
                husk.close();
            }
            Files.deleteIfExists(gate);
            Files.deleteIfExists(gateDir);
        }
    }

    /** The husk's gate: wait for a line on stdin, then become the command; end-of-file ends it. */
    private static final String GATE = "read -r go && exec \"$@\"";

    /** Made and held open read-write, so the child opens it at once and sees its end only when this JVM dies. */
    private static FileChannel openGate(Path gate) throws IOException {
        try {
            LibC.INSTANCE.mkfifo(gate.toString(), 0600);
        } catch (com.sun.jna.LastErrorException e) {
            throw new IOException("cannot make the husk's gate " + gate + ": " + Errno.describe(e.getErrorCode()), e);
        }
        return FileChannel.open(gate, StandardOpenOption.READ, StandardOpenOption.WRITE);
    }

    public int pid() {
        return pid;
    }

    public Tracer tracer() {
        return tracer;
    }

    /** Runs syscalls in the husk (its only thread has tid = pid). */
    public SyscallInjector injector() {
        return injector;
    }

    /** Kills the husk and reaps it (it is this JVM's child); never throws. */
    @Override
    public void close() {
        Tracees.killAndReap(tracer, pid, true);
    }

    static boolean exists(int pid) {
        return Files.exists(Path.of("/proc", Integer.toString(pid)));
    }
}
