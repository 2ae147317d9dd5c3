package io.hotvirt.linux.process;

import io.hotvirt.linux.cgroup.Cgroups;
import io.hotvirt.linux.cgroup.DomainCgroup;
import io.hotvirt.linux.proc.ProcStat;
import io.hotvirt.linux.proc.Procfs;
import io.hotvirt.linux.testing.Children;
import io.hotvirt.linux.testing.Privileged;
import io.hotvirt.linux.testing.TestCgroup;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertThrows;
import static org.junit.Assert.assertTrue;

public class SpawnerTest {

    @Rule
    public final Children children = new Children();
    @Rule
    public final TemporaryFolder tmp = new TemporaryFolder();

    @Test
    public void writesOutputToTheLogInANewSession() throws Exception {
        Path log = tmp.getRoot().toPath().resolve("out.log");
        Files.writeString(log, "before\n");
        int pid = children.spawnLogged(log, "sh", "-c", "echo out; echo err >&2; echo \"[$HOTVIRT_CGROUP_PROCS]\"; sleep 100");
        Children.await("output", 3000, () -> read(log).contains("[]"));
        assertEquals("appended, both streams, launcher variable gone", "before\nout\nerr\n[]\n", read(log));
        ProcStat stat = Procfs.stat(pid).orElseThrow();
        assertEquals(pid, stat.session());
        assertEquals(pid, stat.pgrp());
    }

    @Test
    public void createsTheLogPrivate() throws Exception {
        Path log = tmp.getRoot().toPath().resolve("new.log");
        int pid = children.spawnLogged(log, "true");
        Children.waitExit(pid, 3000);
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(log)));
    }

    @Test
    public void startsInTheWorkingDirectoryAndResolvesRelativeCommands() throws Exception {
        Path dir = tmp.newFolder("work").toPath();
        Path script = dir.resolve("run.sh");
        Files.writeString(script, "#!/bin/sh\npwd\n");
        script.toFile().setExecutable(true);
        Path log = dir.resolve("log");
        int pid = children.spawn(new SpawnRequest(List.of("./run.sh"), dir, log, List.of()));
        assertEquals(0, Children.waitExit(pid, 3000));
        assertEquals(dir.toRealPath() + "\n", read(log));
    }

    @Test
    public void refusesUnknownCommands() throws Exception {
        String plain = tmp.newFile("plain").getAbsolutePath();
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Spawner.spawn(new SpawnRequest(List.of("no-such-command-xyz"), null, null, List.of())));
        assertEquals("command not found: no-such-command-xyz", e.getMessage());
        assertThrows(IllegalArgumentException.class,
                () -> Spawner.spawn(new SpawnRequest(List.of("./missing.sh"), null, null, List.of())));
        assertThrows(IllegalArgumentException.class,
                () -> Spawner.spawn(new SpawnRequest(List.of(plain), null, null, List.of()))); // not executable
        assertThrows(IllegalArgumentException.class, () -> Spawner.spawn(new SpawnRequest(List.of(), null, null, List.of())));
    }

    @Test
    public void joinsTheCgroupBeforeTheCommandRuns() throws Exception {
        Cgroups cgroups = Privileged.assumeCgroups();
        try (TestCgroup test = new TestCgroup(cgroups)) {
            try {
                DomainCgroup cg = cgroups.create(test.path("spawn"));
                Path log = tmp.getRoot().toPath().resolve("cg.log");
                // the command's first act is to look where it is
                int pid = children.spawn(new SpawnRequest(List.of("sh", "-c", "cat /proc/self/cgroup; exec sleep 100"),
                        null, log, cg.procsFiles()));
                Children.await("output", 3000, () -> read(log).lines().count() >= cgroups.mounts().size());
                for (String key : cgroups.mounts().keySet()) {
                    assertTrue(key + " in " + read(log), read(log).lines()
                            .anyMatch(l -> l.matches("\\d+:" + key + ":/" + test.path("spawn"))));
                }
                assertTrue(cg.pids().contains(pid));
            } finally {
                children.killAll();
            }
        }
    }

    @Test
    public void runsAsAnotherUserAfterJoiningItsCgroupAsRoot() throws Exception {
        Cgroups cgroups = Privileged.assumeCgroups();
        RunAs nobody = RunAs.lookup("nobody");
        try (TestCgroup test = new TestCgroup(cgroups)) {
            try {
                DomainCgroup cg = cgroups.create(test.path("user"));
                Path log = tmp.getRoot().toPath().resolve("user.log");
                int pid = children.spawn(new SpawnRequest(List.of("sh", "-c", "echo \"$USER $HOME\"; exec sleep 100"),
                        null, log, cg.procsFiles(), nobody));
                Children.await("sleep to run", 3000, () -> Procfs.cmdline(pid).equals(List.of("sleep", "100")));
                List<String> status = Files.readAllLines(Path.of("/proc/" + pid + "/status"));
                String uid = String.valueOf(nobody.uid());
                String gid = String.valueOf(nobody.gid());
                assertEquals("real, effective, saved and fs uid", "Uid:\t" + String.join("\t", uid, uid, uid, uid),
                        line(status, "Uid:"));
                assertEquals("Gid:\t" + String.join("\t", gid, gid, gid, gid), line(status, "Gid:"));
                assertEquals("Groups:\t" + gid, line(status, "Groups:").strip());
                assertEquals("no capability left", "CapEff:\t0000000000000000", line(status, "CapEff:"));
                assertEquals("nobody " + nobody.home() + "\n", read(log));
                assertTrue("in its cgroup", cg.pids().contains(pid));
            } finally {
                children.killAll();
            }
        }
    }

    @Test
    public void aNamedGroupReplacesThePrimaryGroup() throws Exception {
        Privileged.assume("root (to change user)");
        RunAs runAs = RunAs.lookup("nobody:0");
        assertEquals(0, runAs.gid());
        int pid = children.spawn(new SpawnRequest(List.of("sleep", "100"), null, null, List.of(), runAs));
        Children.await("sleep to run", 3000, () -> Procfs.cmdline(pid).equals(List.of("sleep", "100")));
        List<String> status = Files.readAllLines(Path.of("/proc/" + pid + "/status"));
        assertEquals("Gid:\t0\t0\t0\t0", line(status, "Gid:"));
        assertTrue(line(status, "Uid:"), line(status, "Uid:").startsWith("Uid:\t" + runAs.uid() + "\t"));
    }

    @Test
    public void unknownUsersAndGroupsAreNamed() {
        assertTrue(assertThrows(IllegalArgumentException.class, () -> RunAs.lookup("hotvirt-no-such-user"))
                .getMessage().startsWith("unknown user 'hotvirt-no-such-user'"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> RunAs.lookup("nobody:hotvirt-no-such-group"))
                .getMessage().startsWith("unknown group 'hotvirt-no-such-group'"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> RunAs.lookup("nobody:"))
                .getMessage().contains("expected USER or USER:GROUP"));
    }

    @Test
    public void aFailedJoinStopsBeforeTheCommand() throws Exception {
        Path log = tmp.getRoot().toPath().resolve("fail.log");
        Path marker = tmp.getRoot().toPath().resolve("ran");
        int pid = children.spawn(new SpawnRequest(List.of("touch", marker.toString()), null, log,
                List.of(tmp.getRoot().toPath().resolve("missing/cgroup.procs"))));
        int status = Children.waitExit(pid, 3000);
        assertEquals(Spawner.JOIN_FAILED, (status >> 8) & 0xff);
        assertTrue(read(log), read(log).contains("hotvirt-launch: cannot join cgroup"));
        assertTrue(Files.notExists(marker));
    }

    private static String line(List<String> status, String key) {
        return status.stream().filter(l -> l.startsWith(key)).findFirst().orElse("");
    }

    private static String read(Path p) {
        try {
            return Files.exists(p) ? Files.readString(p) : "";
        } catch (java.io.IOException e) {
            throw new AssertionError(e);
        }
    }
}
