package io.hotvirt.checkpoint.freeze;

import io.hotvirt.checkpoint.testing.CWorkload;
import io.hotvirt.linux.proc.Procfs;

import java.nio.file.Path;
import java.util.List;

/**
 * The signals.c workload: 4 threads with handlers, masks, an alternate stack, a timer and pending
 * signals set up before READY, checked by the workload itself on SIGUSR1.
 */
public final class SignalsWorkload implements AutoCloseable {

    public final int pid;
    public final long handler;
    public final long altStack;
    public final long altStackSize;
    public final int sigrt;
    private final CWorkload process;

    private SignalsWorkload(CWorkload process) {
        this.process = process;
        this.pid = process.pid;
        this.handler = Long.parseUnsignedLong(process.fields("HANDLER")[1], 16);
        String[] a = process.fields("ALTSTACK");
        this.altStack = Long.parseUnsignedLong(a[1], 16);
        this.altStackSize = Long.parseLong(a[2]);
        this.sigrt = Integer.parseInt(process.fields("SIGRT")[1]);
    }

    /** Starts the workload (in the cgroups given) and waits for READY and its 4 threads. */
    public static SignalsWorkload start(List<Path> cgroupProcs, Path logDir) throws Exception {
        return CWorkload.start(List.of(CWorkload.binary("signals", "-pthread").toString()), cgroupProcs,
                logDir.resolve("signals-" + System.nanoTime() + ".log"), 10_000,
                w -> w.log().contains("READY") && Procfs.tasks(w.pid).size() == 4)
                .into(SignalsWorkload::new);
    }

    /** Sends SIGUSR1 and returns the workload's verdict line (PASS or FAIL ...). */
    public String selfCheck(long timeoutMillis) {
        return process.selfCheck(timeoutMillis);
    }

    @Override
    public void close() {
        process.close();
    }
}
