package io.hotvirt.linux.process;

import com.sun.jna.Memory;
import com.sun.jna.ptr.IntByReference;
import io.hotvirt.linux.jna.Errno;
import io.hotvirt.linux.jna.LibC;
import io.hotvirt.linux.proc.Procfs;

import java.io.IOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;

/**
 * Starts workload processes with glibc's posix_spawn, never with {@link ProcessBuilder}: the JDK
 * reaps its children with waitpid, which would swallow the ptrace stops of a traced workload.
 *
 * <p>The child is {@code /bin/sh -c SCRIPT hotvirt-launch argv...}: the script writes its own pid
 * into each cgroup.procs file and then execs the command, so the command and anything it forks
 * start inside the domain's cgroups — no early child can escape. It runs in a new session (not tied
 * to Karaf's terminal) with default signal dispositions and an empty signal mask (the JVM blocks
 * and ignores some signals, and both are inherited across exec).
 *
 * <p>A command that runs as another user ({@link SpawnRequest#runAs()}) still joins its cgroups as
 * root — only root may write cgroup.procs — and then the script execs util-linux's setpriv, which
 * sets every uid (real, effective, saved) and gid and the supplementary groups and execs the command:
 * the same PID throughout, and no privilege left.
 */
public final class Spawner {

    /** Env var carrying the cgroup.procs paths to the launch script, colon separated. */
    static final String PROCS_VAR = "HOTVIRT_CGROUP_PROCS";

    static final String SHELL = "/bin/sh";

    /** Drops to another user between the cgroup join and the command (util-linux). */
    static final String SETPRIV = "/usr/bin/setpriv";

    /** Exit status of the launch script when the process cannot join its cgroup. */
    public static final int JOIN_FAILED = 126;

    private static final String SCRIPT = String.join("\n",
            "set -f; IFS=:",
            "for f in $" + PROCS_VAR + "; do",
            "  echo $$ > \"$f\" || { echo \"hotvirt-launch: cannot join cgroup: could not write pid $$ to $f\" >&2;"
                    + " exit " + JOIN_FAILED + "; }",
            "done",
            "unset IFS " + PROCS_VAR + "; set +f",
            "exec \"$@\"");

    private Spawner() {
    }

    /**
     * Whether {@code pid} still runs the launch script, i.e. has not yet joined every cgroup and
     * exec'd the command. The script's argv[3] is its name, which the exec replaces.
     */
    public static boolean launching(int pid) {
        List<String> cmdline = Procfs.cmdline(pid);
        return cmdline.size() > 3 && cmdline.get(0).equals("sh") && cmdline.get(1).equals("-c")
                && cmdline.get(2).equals(SCRIPT) && cmdline.get(3).equals("hotvirt-launch");
    }

    /**
     * Starts the command and returns its pid (which stays the command's pid after the exec).
     *
     * @throws IllegalArgumentException if argv is empty, argv[0] cannot be found
     *                                  ({@code "command not found: X"}), is a directory or is not
     *                                  executable, or the working directory does not exist
     * @throws IOException              if the log file cannot be created or posix_spawn fails
     */
    public static int spawn(SpawnRequest r) throws IOException {
        return spawn(r, null);
    }

    /**
     * Like {@link #spawn(SpawnRequest)}, with stdin opened (read-only, by the child before it runs
     * anything) from {@code stdin} instead of /dev/null: a FIFO its caller holds open lets a child
     * wait for word from the caller and see the caller's death as end-of-file.
     */
    public static int spawn(SpawnRequest r, Path stdin) throws IOException {
        if (r.argv().isEmpty()) {
            throw new IllegalArgumentException("no command given");
        }
        Path workingDir = r.workingDir() == null ? null : r.workingDir().toAbsolutePath();
        if (workingDir != null && !Files.isDirectory(workingDir)) {
            throw new IllegalArgumentException("working directory does not exist: " + workingDir);
        }
        Map<String, String> env = new TreeMap<>(System.getenv());
        String command = r.argv().get(0);
        CommandResolver.resolve(command, workingDir, env.get("PATH"));
        String log = r.logFile() == null ? "/dev/null" : createLog(r.logFile().toAbsolutePath());
        RunAs user = r.runAs();
        if (user != null) {
            if (!Files.isExecutable(Path.of(SETPRIV))) {
                throw new IllegalArgumentException("cannot run a command as user " + user.user() + ": " + SETPRIV
                        + " is missing; install util-linux (it provides setpriv)");
            }
            env.put("HOME", user.home());
            env.put("USER", user.user());
            env.put("LOGNAME", user.user());
        }
        env.remove(PROCS_VAR);
        if (!r.cgroupProcsFiles().isEmpty()) {
            env.put(PROCS_VAR, joinPaths(r.cgroupProcsFiles()));
        }

        List<String> argv = new ArrayList<>(List.of("sh", "-c", SCRIPT, "hotvirt-launch"));
        if (user != null) {
            argv.addAll(List.of(SETPRIV, "--reuid=" + user.uid(), "--regid=" + user.gid()));
            argv.add(user.groups().isEmpty() ? "--clear-groups" : "--groups=" + user.groups().stream()
                    .map(String::valueOf).collect(Collectors.joining(",")));
            argv.add("--");
        }
        argv.addAll(r.argv());
        List<String> envp = new ArrayList<>();
        env.forEach((k, v) -> envp.add(k + "=" + v));

        LibC c = LibC.INSTANCE;
        Memory actions = new Memory(LibC.POSIX_SPAWN_FILE_ACTIONS_SIZE);
        Memory attr = new Memory(LibC.POSIX_SPAWNATTR_SIZE);
        Memory noSignals = new Memory(LibC.SIGSET_SIZE);
        Memory allSignals = new Memory(LibC.SIGSET_SIZE);
        check("posix_spawn_file_actions_init", c.posix_spawn_file_actions_init(actions));
        try {
            check("posix_spawnattr_init", c.posix_spawnattr_init(attr));
            try {
                String in = stdin == null ? "/dev/null" : stdin.toAbsolutePath().toString();
                check("addopen " + in, c.posix_spawn_file_actions_addopen(actions, 0, in, LibC.O_RDONLY, 0));
                check("addopen " + log, c.posix_spawn_file_actions_addopen(actions, 1, log,
                        LibC.O_WRONLY | LibC.O_APPEND | LibC.O_CREAT | LibC.O_NOCTTY, 0600));
                check("adddup2", c.posix_spawn_file_actions_adddup2(actions, 1, 2));
                closeInheritedFds(c, actions);
                if (workingDir != null) {
                    check("addchdir " + workingDir, c.posix_spawn_file_actions_addchdir_np(actions, workingDir.toString()));
                }
                c.sigemptyset(noSignals);
                c.sigfillset(allSignals);
                // glibc's sigfillset leaves out its internal signals 32 and 33, and posix_spawn then sets
                // them to SIG_IGN in the child, which exec keeps: set their bits (n - 1) by hand
                allSignals.setLong(0, -1L);
                check("setsigmask", c.posix_spawnattr_setsigmask(attr, noSignals));
                check("setsigdefault", c.posix_spawnattr_setsigdefault(attr, allSignals));
                check("setflags", c.posix_spawnattr_setflags(attr,
                        (short) (LibC.POSIX_SPAWN_SETSID | LibC.POSIX_SPAWN_SETSIGMASK | LibC.POSIX_SPAWN_SETSIGDEF)));

                IntByReference pid = new IntByReference();
                int err = c.posix_spawn(pid, SHELL, actions, attr, argv.toArray(String[]::new), envp.toArray(String[]::new));
                if (err != 0) {
                    throw new IOException("cannot start " + r.argv() + ": posix_spawn(" + SHELL + "): " + Errno.describe(err)
                            + (workingDir != null && err == Errno.ENOENT ? " (working directory " + workingDir + ")" : ""));
                }
                return pid.getValue();
            } finally {
                c.posix_spawnattr_destroy(attr);
            }
        } finally {
            c.posix_spawn_file_actions_destroy(actions);
        }
    }

    /**
     * The JDK opens many files without O_CLOEXEC; without this the workload would inherit them
     * (jars, sockets, Karaf's log). glibc 2.34+ has closefrom; older ones leak, which is harmless
     * for correctness.
     */
    private static void closeInheritedFds(LibC c, Memory actions) throws IOException {
        try {
            check("addclosefrom", c.posix_spawn_file_actions_addclosefrom_np(actions, 3));
        } catch (UnsatisfiedLinkError e) {
            // glibc older than 2.34: no closefrom file action
        }
    }

    private static String createLog(Path log) throws IOException {
        try {
            Files.createFile(log, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        } catch (FileAlreadyExistsException e) {
            // appended to
        } catch (IOException e) {
            throw new IOException("cannot create log file " + log + ": " + e.getMessage()
                    + (Files.isDirectory(log.getParent()) ? "" : " (its directory does not exist)"), e);
        }
        return log.toString();
    }

    private static String joinPaths(List<Path> paths) {
        List<String> out = new ArrayList<>();
        for (Path p : paths) {
            String s = p.toAbsolutePath().toString();
            if (s.contains(":")) {
                throw new IllegalArgumentException("cgroup.procs path must not contain ':': " + s);
            }
            out.add(s);
        }
        return String.join(":", out);
    }

    private static void check(String what, int err) throws IOException {
        if (err != 0) {
            throw new IOException("posix_spawn setup failed: " + what + ": " + Errno.describe(err));
        }
    }

    /** Only for tests and diagnostics: the script the launcher shell runs. */
    static String script() {
        return SCRIPT;
    }
}
