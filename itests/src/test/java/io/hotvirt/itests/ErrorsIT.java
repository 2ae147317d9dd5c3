package io.hotvirt.itests;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;
import static org.junit.Assert.fail;

import io.hotvirt.api.DomainService;
import io.hotvirt.api.DomainState;
import io.hotvirt.linux.cgroup.Cgroups;
import io.hotvirt.linux.cgroup.DomainCgroup;
import io.hotvirt.linux.process.SpawnRequest;
import io.hotvirt.linux.process.Spawner;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.Test;

/** Mistakes a user makes get a message that names the problem. */
public class ErrorsIT extends HotvirtTestSupport {

    @Test
    public void unknownDomain() throws Exception {
        for (String command : new String[] {"domain:info it-nosuch", "domain:release it-nosuch",
                "domain:kill it-nosuch", "domain:remove it-nosuch"}) {
            assertContains(failing(command), "no domain named 'it-nosuch'");
        }
        try {
            domains().release("it-nosuch");
            fail("release of an unknown domain");
        } catch (IllegalArgumentException expected) {
            assertContains(expected.getMessage(), "no domain named");
        }
    }

    @Test
    public void nameAlreadyUsed() throws Exception {
        ok("domain:launch it-dup -- sh -c \"while :; do sleep 1; done\"");
        assertContains(failing("domain:launch it-dup -- sh -c \"while :; do sleep 1; done\""),
                "a domain named 'it-dup' already exists");
        DomainService domains = domains();
        int pid = domains.find("it-dup").orElseThrow().rootPid();
        assertContains(failing("domain:adopt it-dup " + pid), "already exists");
    }

    @Test
    public void adoptOfDeadPid() throws Exception {
        int pid = deadPid();
        assertContains(failing("domain:adopt it-dead " + pid), "no process with PID " + pid);
        assertFalse(domains().find("it-dead").isPresent());
    }

    @Test
    public void commandNotFound() throws Exception {
        assertContains(failing("domain:launch it-bad -- hotvirt-no-such-command --flag"),
                "command not found: hotvirt-no-such-command");
        assertFalse(domains().find("it-bad").isPresent());
        try {
            domains().launch("it-bad", List.of("hotvirt-no-such-command"));
            fail("launch of a command that does not exist");
        } catch (IllegalArgumentException expected) {
            assertContains(expected.getMessage(), "command not found");
        }
    }

    @Test
    public void aFileThatIsNotExecutableIsNotCalledMissing() throws Exception {
        Path dir = tempDir();
        Path plain = Files.writeString(dir.resolve("plain.sh"), "echo hello\n");
        assertContains(failing("domain:launch it-bad -- " + plain), plain + " is not executable");
        assertContains(failing("domain:launch it-bad -- " + dir), dir + " is a directory, not a command");
        assertFalse(domains().find("it-bad").isPresent());
    }

    @Test
    public void unknownUserOrGroup() throws Exception {
        assertContains(failing("domain:launch --user hotvirt-no-such-user it-bad -- sleep 100"),
                "unknown user 'hotvirt-no-such-user'");
        assertContains(failing("domain:launch --user nobody:hotvirt-no-such-group it-bad -- sleep 100"),
                "unknown group 'hotvirt-no-such-group'");
        assertFalse(domains().find("it-bad").isPresent());
    }

    /**
     * A cgroup left holding processes by a domain hotvirt forgot (a lost registry) is not shared by a
     * new domain of that name; its processes can be taken back under the name.
     */
    @Test
    public void aNameWhoseCgroupStillHoldsProcessesIsRefused() throws Exception {
        Cgroups cgroups = Cgroups.detect();
        DomainCgroup left = cgroups.create(CGROUP_ROOT + "/it-left");
        int pid = stray(Spawner.spawn(new SpawnRequest(List.of("sleep", "1000"), null, null, left.procsFiles())));
        waitFor("the leftover to join its cgroup", () -> !Spawner.launching(pid) && inDomain(pid, "it-left"));

        String refusal = failing("domain:launch it-left -- sleep 1000");
        assertContains(refusal, "the name 'it-left' is taken: its cgroup " + CGROUP_ROOT + "/it-left still holds 1 process");
        assertContains(refusal, pid + " (sleep)");
        assertContains(refusal, "domain:adopt it-left " + pid);
        assertContains(refusal, "kill -9 " + pid);
        assertFalse(domains().find("it-left").isPresent());
        assertContains(failing("domain:adopt it-other " + pid), "left by a domain 'it-left' that hotvirt no longer knows");

        ok("domain:adopt it-left " + pid);
        DomainService domains = domains();
        assertEquals(DomainState.RUNNING, domains.find("it-left").orElseThrow().state());
        assertEquals(List.of(pid), List.copyOf(pids(domains.processTree("it-left"))));
        ok("domain:release it-left");
        assertTrue("released to where hotvirt runs, outside its cgroups", outsideHotvirt(pid));
        assertFalse("the cgroup is gone", left.exists());
    }
}
