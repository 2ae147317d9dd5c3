package io.hotvirt.checkpoint.freeze;

import io.hotvirt.linux.proc.Procfs;
import io.hotvirt.linux.process.PidFd;
import io.hotvirt.linux.ptrace.WaitStatus;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Which processes and threads of a frozen domain still live: taken while the domain is held (a
 * pidfd on every process, so that a PID reused meanwhile cannot pass for it; threads by
 * /proc/PID/task/TID, which only lists the process's own), asked after a dump that left it
 * running. Nothing may report a domain as running on when part of it ended.
 */
public final class Survivors implements AutoCloseable {

    private final Map<Integer, List<Integer>> threads;
    private final Map<Integer, String> comms = new LinkedHashMap<>();
    private final Map<Integer, PidFd> pidfds = new LinkedHashMap<>();

    private Survivors(Map<Integer, List<Integer>> threads) {
        this.threads = threads;
    }

    /** Every process and thread the freezer holds, while it holds them. */
    public static Survivors of(DomainFreezer freezer) {
        Survivors s = new Survivors(freezer.threads());
        for (int pid : freezer.threads().keySet()) {
            s.comms.put(pid, Procfs.stat(pid).map(st -> st.comm()).orElse("?"));
            try {
                s.pidfds.put(pid, PidFd.open(pid));
            } catch (IOException e) {
                // gone already: ended() says so
            }
        }
        return s;
    }

    /**
     * One line for each process, and each thread of a live process, that has ended since: "process
     * 123 (worker) ended: killed by signal 9", "thread 125 of process 123 (worker) ended". Empty when
     * the whole domain lives.
     */
    public List<String> ended() {
        List<String> out = new ArrayList<>();
        threads.forEach((pid, tids) -> {
            String name = "process " + pid + " (" + comms.get(pid) + ")";
            if (processEnded(pid)) {
                out.add(name + " ended" + exitOf(pid));
                return;
            }
            for (int tid : tids) {
                if (tid != pid && threadEnded(pid, tid)) {
                    out.add("thread " + tid + " of " + name + " ended");
                }
            }
        });
        return out;
    }

    /** How many of the processes have ended (all of them: nothing of the domain runs on). */
    public long processesEnded() {
        return threads.keySet().stream().filter(this::processEnded).count();
    }

    public int processes() {
        return threads.size();
    }

    private boolean processEnded(int pid) {
        PidFd fd = pidfds.get(pid);
        if (fd == null) {
            return true;
        }
        try {
            return fd.exited() || Procfs.stat(pid).map(s -> s.dead()).orElse(true);
        } catch (IOException e) {
            return Procfs.stat(pid).map(s -> s.dead()).orElse(true);
        }
    }

    private static boolean threadEnded(int pid, int tid) {
        return Procfs.taskStat(pid, tid).map(s -> s.dead()).orElse(true);
    }

    /** ": killed by signal 9" while it is a zombie (its exit code is in stat field 52), else "". */
    private static String exitOf(int pid) {
        try {
            String stat = Files.readString(Path.of("/proc", Integer.toString(pid), "stat"));
            String[] f = stat.substring(stat.lastIndexOf(')') + 1).trim().split(" ");
            if (f[0].equals("Z") && f.length >= 50) {
                return ": " + WaitStatus.describe(Integer.parseInt(f[49]));
            }
        } catch (IOException | RuntimeException e) {
            // reaped already: how it ended is its parent's to know
        }
        return "";
    }

    @Override
    public void close() {
        pidfds.values().forEach(PidFd::close);
    }
}
