package io.hotvirt.itests;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;

import io.hotvirt.api.DomainInfo;
import io.hotvirt.api.DomainState;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.Test;

/** Launches an sh and a python3 workload, looks at them through the shell, releases them. */
public class LaunchReleaseIT extends HotvirtTestSupport {

    private static final String PYTHON = String.join("\n",
            "import os, time",
            "n = 0",
            "while True:",
            "    n += 1",
            "    print('PASS %d pid %d' % (n, os.getpid()), flush=True)",
            "    time.sleep(0.2)",
            "");

    @Test
    public void launchListInfoReleaseKill() throws Exception {
        String launched = ok("domain:launch it-sh -- sh -c \"while :; do sleep 1; done\"");
        assertContains(launched, "Domain it-sh launched: pid ");
        assertContains(launched, "cgroup " + CGROUP_ROOT + "/it-sh");
        int sh = stray(group(launched, "pid (\\d+)"));

        Path script = tempDir().resolve("pass.py");
        Files.writeString(script, PYTHON);
        launched = ok("domain:launch it-py -- python3 " + script);
        assertContains(launched, "Domain it-py launched: pid ");
        int py = stray(group(launched, "pid (\\d+)"));
        Path log = Path.of(domains().find("it-py").orElseThrow().log());
        waitFor("python3 to print PASS lines into " + log, () -> passCount(log) >= 3);

        for (int pid : new int[] {sh, py}) {
            assertTrue("pid " + pid + " alive", alive(pid));
        }
        assertTrue("sh in its cgroup:\n" + cgroups(sh), inDomain(sh, "it-sh"));
        assertTrue("python3 in its cgroup:\n" + cgroups(py), inDomain(py, "it-py"));
        waitFor("a sleep forked by the sh loop", () -> !children(sh).isEmpty());
        for (int child : children(sh)) {
            assertTrue("child " + child + " of sh in the cgroup:\n" + cgroups(child),
                    inDomain(child, "it-sh") || !alive(child));
        }

        String list = ok("domain:list");
        for (String column : new String[] {"Name", "State", "PID", "Procs", "Origin", "Capabilities", "Command"}) {
            assertContains(list, column);
        }
        assertTrue(list, row(list, "it-sh").contains("RUNNING"));
        assertTrue(list, row(list, "it-sh").contains(String.valueOf(sh)));
        assertTrue(list, row(list, "it-sh").contains("launched"));
        assertTrue(list, row(list, "it-py").contains(String.valueOf(py)));
        assertTrue(list, row(list, "it-py").contains("python3"));

        String info = ok("domain:info it-py");
        assertContains(info, "it-py");
        assertContains(info, "RUNNING");
        assertContains(info, "launched");
        assertContains(info, String.valueOf(py));
        assertContains(info, CGROUP_ROOT + "/it-py");
        assertContains(info, log.toString());
        assertContains(info, "PPID");
        assertContains(info, "Threads");
        assertContains(info, "python3");

        String released = ok("domain:release it-sh");
        assertContains(released, "Domain it-sh released");
        released = ok("domain:release it-py");
        assertContains(released, "Domain it-py released: 1 process runs on outside hotvirt");
        assertFalse(domains().find("it-sh").isPresent());
        assertFalse(domains().find("it-py").isPresent());

        long before = passCount(log);
        waitFor("python3 to go on printing after its release", () -> passCount(log) > before + 2);
        for (int pid : new int[] {sh, py}) {
            assertTrue("pid " + pid + " alive after release", alive(pid));
            assertTrue("pid " + pid + " outside " + CGROUP_ROOT + ":\n" + cgroups(pid), outsideHotvirt(pid));
        }
        assertFalse(ok("domain:list").contains("it-sh"));
    }

    @Test
    public void killAndRemove() throws Exception {
        String launched = ok("domain:launch it-k -- sh -c \"while :; do sleep 1; done\"");
        int sh = stray(group(launched, "pid (\\d+)"));
        assertTrue(inDomain(sh, "it-k"));

        assertContains(failing("domain:kill it-k --signal NOPE"), "NOPE");
        assertTrue("a refused kill changes nothing", alive(sh));
        assertContains(ok("domain:kill it-k -s TERM"), "SIGTERM"); // options may follow the name
        waitFor("sh to die", () -> !alive(sh));
        waitFor("domain it-k to be EXITED", () -> {
            try {
                return domains().find("it-k").map(DomainInfo::state).orElse(null) == DomainState.EXITED;
            } catch (InterruptedException e) {
                throw new IllegalStateException(e);
            }
        });
        waitFor("the exit status of it-k", () -> {
            try {
                return Integer.valueOf(128 + 15).equals(domains().find("it-k").orElseThrow().exitStatus());
            } catch (InterruptedException e) {
                throw new IllegalStateException(e);
            }
        });
        assertTrue(row(ok("domain:list"), "it-k").contains("EXITED (143)"));
        ok("domain:remove it-k");
        assertFalse(domains().find("it-k").isPresent());
        assertEquals(-1, ok("domain:list").indexOf("it-k"));
    }

    private static long passCount(Path log) {
        try {
            return Files.readAllLines(log).stream().filter(l -> l.startsWith("PASS ")).count();
        } catch (IOException e) {
            return 0;
        }
    }

    /** The table row of a domain. */
    private static String row(String table, String name) {
        return table.lines().filter(l -> l.trim().startsWith(name + " ") || l.trim().startsWith(name + "│")
                || l.trim().startsWith(name + "|")).findFirst()
                .orElseThrow(() -> new AssertionError("no row for " + name + " in:\n" + table));
    }

    @Test
    public void launchAsAnotherUser() throws Exception {
        String out = ok("domain:launch --user nobody it-user -- sleep 1000");
        int pid = stray(group(out, "pid (\\d+)"));
        assertContains(out, "it runs as user nobody");
        waitFor("sleep to run", () -> cmdline(pid).equals("sleep\0" + "1000\0"));
        String uid = id("-u", "nobody");
        String gid = id("-g", "nobody");
        List<String> status = Files.readAllLines(Path.of("/proc/" + pid + "/status"));
        assertEquals("Uid:\t" + String.join("\t", uid, uid, uid, uid), line(status, "Uid:"));
        assertEquals("Gid:\t" + String.join("\t", gid, gid, gid, gid), line(status, "Gid:"));
        assertTrue("in its cgroup", inDomain(pid, "it-user"));
        String help = ok("domain:launch --help").replaceAll("\\s+", " "); // as one line: the help is wrapped
        assertContains(help, "--user");
        assertContains(help, "as root unless --user names another user");
    }

    private static String line(List<String> status, String key) {
        return status.stream().filter(l -> l.startsWith(key)).findFirst().orElse("");
    }

    private static String cmdline(int pid) {
        try {
            return Files.readString(Path.of("/proc/" + pid + "/cmdline"));
        } catch (IOException e) {
            return "";
        }
    }

    /** The numeric id as the user database has it (the test runs as root, the container too). */
    private static String id(String option, String user) throws Exception {
        for (String l : Files.readAllLines(Path.of("/etc/passwd"))) {
            String[] f = l.split(":");
            if (f[0].equals(user)) {
                return option.equals("-u") ? f[2] : f[3];
            }
        }
        throw new AssertionError("no user " + user + " in /etc/passwd");
    }
}
