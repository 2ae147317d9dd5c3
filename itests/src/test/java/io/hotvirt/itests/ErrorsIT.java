package io.hotvirt.itests;

import static org.junit.Assert.assertFalse;
import static org.junit.Assert.fail;

import io.hotvirt.api.DomainService;
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
}
