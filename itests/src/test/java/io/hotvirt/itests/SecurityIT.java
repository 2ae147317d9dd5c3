package io.hotvirt.itests;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertNotNull;
import static org.junit.Assert.assertTrue;
import static org.junit.Assert.fail;
import static org.ops4j.pax.exam.CoreOptions.systemProperty;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.security.PrivilegedExceptionAction;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import javax.security.auth.Subject;
import org.apache.karaf.shell.api.console.Session;
import org.apache.sshd.client.SshClient;
import org.apache.sshd.client.channel.ChannelExec;
import org.apache.sshd.client.channel.ChannelShell;
import org.apache.sshd.client.channel.ClientChannelEvent;
import org.apache.sshd.client.keyverifier.AcceptAllServerKeyVerifier;
import org.apache.sshd.client.session.ClientSession;
import org.apache.sshd.sftp.SftpModuleProperties;
import org.apache.sshd.sftp.client.SftpClient;
import org.apache.sshd.sftp.client.SftpClientFactory;
import org.junit.Test;
import org.ops4j.pax.exam.Configuration;
import org.ops4j.pax.exam.Option;
import org.ops4j.pax.exam.OptionUtils;

/**
 * Who may do what: the command ACLs the features ship (a viewer reads, an admin changes), the
 * README's steps for a read-only user (they must give a user who can log in over SSH), and no SFTP.
 */
public class SecurityIT extends HotvirtTestSupport {

    private static final String NAME = PREFIX + "acl";
    private static final Subject VIEWER = subject("it-viewer", "viewer", "ssh");

    /** The README, whose viewer steps {@link #readmeViewerStepsGiveAUserWhoLogsIn} runs as written. */
    @Configuration
    @Override
    public Option[] config() {
        File readme = new File(System.getProperty("project.build.directory", "target"), "../../README.md");
        return OptionUtils.combine(super.config(),
                systemProperty("hotvirt.readme").value(readme.getAbsoluteFile().toPath().normalize().toString()));
    }

    @Test
    public void viewerReadsAdminChanges() throws Exception {
        // the admin (the console's roles) launches, sets limits, dumps and restores
        String launched = ok("domain:launch " + NAME + " -- sh -c \"while :; do sleep 1; done\"");
        int pid = stray(group(launched, "pid (\\d+)"));
        assertNotNull(domains().find(NAME).orElse(null));

        for (String read : List.of("domain:list", "domain:info " + NAME, "cpu:show " + NAME, "cpu:top --interval 0.2",
                "memory:show " + NAME, "memory:map " + NAME, "checkpoint:list")) {
            Result r = shell(VIEWER, read);
            assertTrue("a viewer may run " + read + ": " + r.text(), r.error == null);
        }
        for (String change : List.of("domain:launch " + PREFIX + "acl-v -- sleep 600", "domain:kill " + NAME,
                "domain:release " + NAME, "domain:remove " + NAME, "domain:adopt " + PREFIX + "acl-v " + pid,
                "cpu:set " + NAME + " --cpus 0.3", "memory:set " + NAME + " --max 900M",
                "memory:reclaim " + NAME, "checkpoint:dump " + NAME + " --leave-running",
                "checkpoint:restore nosuch", "checkpoint:delete nosuch")) {
            Result r = shell(VIEWER, change);
            assertNotNull("a viewer must not run " + change + ", but it printed: " + r.out, r.error);
            String why = r.error.getClass().getSimpleName() + ": " + r.error.getMessage();
            assertTrue(change + " refused for a viewer by the ACL, not by chance: " + why,
                    why.contains("CommandNotFoundException") || why.contains("Insufficient credentials"));
        }
        // Karaf's commands that read or write files as root, and Java calls, are admin's only too
        for (String leak : List.of("shell:cat etc/users.properties", "shell:ls etc", "shell:grep key etc/client.key",
                "($.context bundles)", "echo x > " + PREFIX + "acl-written")) {
            Result r = shell(VIEWER, leak);
            assertNotNull("a viewer must not run " + leak + ", but it printed: " + r.out, r.error);
        }
        assertFalse(Files.exists(Path.of(PREFIX + "acl-written")));
        assertTrue(shell(VIEWER, "echo hi").error == null);
        assertTrue("the viewer's kill did nothing", alive(pid));
        assertFalse(domains().find(PREFIX + "acl-v").isPresent());
        assertFalse("the viewer's cpu:set did nothing", ok("cpu:show " + NAME).contains("0.3"));

        assertContains(ok("cpu:set " + NAME + " --cpus 0.3"), "0.3");
        ok("memory:set " + NAME + " --max 900M");
        String dump = ok("checkpoint:dump " + NAME + " --leave-running");
        Path image = Path.of(dump.lines().filter(l -> l.startsWith("Image")).findFirst().orElseThrow()
                .replaceFirst("^Image\\s*: ", "").trim());
        String restored = ok("checkpoint:restore " + image.getFileName() + " --name " + PREFIX + "acl-r --new-pidns");
        assertContains(restored, PREFIX + "acl-r");
        ok("domain:kill " + PREFIX + "acl-r");
        ok("domain:kill " + NAME);
        ok("checkpoint:delete " + image.getFileName());
    }

    /** A scope no ACL names (none of hotvirt's: Karaf's scr and log stand in) is admin's only. */
    @Test
    public void scopeWithoutAclIsAdminsOnly() {
        assertEquals("karaf.secured.command.compulsory.roles in etc/system.properties", "admin",
                System.getProperty("karaf.secured.command.compulsory.roles"));
        for (String unlisted : List.of("scr:list", "log:display", "bundle:list")) {
            Result r = shell(VIEWER, unlisted);
            assertNotNull("a viewer must not run " + unlisted + " (no ACL names it), but it printed: " + r.out, r.error);
        }
        // Karaf's own commands still work for the admin: bundle:list is in no ACL, feature:list neither
        for (String karaf : List.of("bundle:list", "feature:list", "log:display", "config:list", "jaas:realm-list",
                "shell:echo hi")) {
            Result r = shell(karaf);
            assertTrue("admin runs " + karaf + ": " + r.text(), r.error == null);
        }
    }

    @Test
    public void readmeViewerStepsGiveAUserWhoLogsIn() throws Exception {
        List<String> steps = readmeViewerSteps();
        inOneSession(steps); // as an administrator types them into one shell
        String user = null;
        String password = null;
        for (String step : steps) {
            String[] words = step.trim().split("\\s+");
            if (words[0].equals("jaas:user-add")) {
                user = words[1];
                password = words[2];
            }
        }
        assertNotNull("the README's steps add a user with jaas:user-add: " + steps, user);
        try {
            String list = ssh(user, password, "domain:list");
            assertContains(list, "Name");
            assertFalse("domain:list over SSH as the README's viewer: " + list, list.contains("Error"));
            String console = sshConsole(user, password, "domain:list\nlogout\n");
            assertContains(console, "Name");
            assertFalse("an interactive login of the README's viewer: " + console, console.contains("Error"));
            String kill = ssh(user, password, "domain:kill " + PREFIX + "nosuch");
            assertTrue("domain:kill refused for the viewer: " + kill,
                    kill.contains("Command not found") || kill.contains("Insufficient credentials"));
        } finally {
            inOneSession(List.of("jaas:realm-manage --realm karaf", "jaas:user-delete " + user, "jaas:update"));
        }
    }

    @Test
    public void sftpIsRefused() throws Exception {
        inOneSession(List.of("jaas:realm-manage --realm karaf", "jaas:user-add it-sftp it-sftp-secret",
                "jaas:group-add it-sftp admingroup", "jaas:update"));
        SshClient client = client();
        try (ClientSession session = login(client, "it-sftp", "it-sftp-secret")) {
            SftpModuleProperties.SFTP_CHANNEL_OPEN_TIMEOUT.set(session, Duration.ofSeconds(10));
            try (SftpClient sftp = SftpClientFactory.instance().createSftpClient(session)) {
                SftpClient.Attributes a = sftp.stat("etc/users.properties");
                fail("SFTP is on: it served etc/users.properties (" + a.getSize() + " bytes)");
            } catch (IOException expected) {
                System.err.println("SFTP refused: " + expected);
            }
        } finally {
            client.stop();
            inOneSession(List.of("jaas:realm-manage --realm karaf", "jaas:user-delete it-sftp", "jaas:update"));
        }
    }

    // ---------------------------------------------------------------- helpers

    /**
     * Runs {@code commands} one after the other in one shell session of an administrator (the jaas
     * commands keep the realm jaas:realm-manage chose in the session); each must succeed.
     */
    private void inOneSession(List<String> commands) throws Exception {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        PrintStream out = new PrintStream(bytes, true, StandardCharsets.UTF_8);
        Subject.doAs(ADMIN, (PrivilegedExceptionAction<Void>) () -> {
            Session session = sessionFactory.create(new ByteArrayInputStream(new byte[0]), out, out);
            try {
                for (String command : commands) {
                    bytes.reset();
                    Object value = session.execute(command);
                    System.err.println("karaf@hotvirt()> " + command + "\n" + bytes.toString(StandardCharsets.UTF_8)
                            + (value == null ? "" : value));
                    assertFalse(command + ": " + bytes, bytes.toString(StandardCharsets.UTF_8).contains("No JAAS"));
                }
            } finally {
                session.close();
            }
            return null;
        });
    }

    /** The commands of the README's block after the marker {@code <!-- viewer-steps -->}. */
    private static List<String> readmeViewerSteps() throws IOException {
        List<String> lines = Files.readAllLines(Path.of(System.getProperty("hotvirt.readme")));
        int i = 0;
        while (i < lines.size() && !lines.get(i).contains("<!-- viewer-steps")) {
            i++;
        }
        while (i < lines.size() && !lines.get(i).trim().startsWith("```")) {
            i++;
        }
        List<String> steps = new ArrayList<>();
        for (i++; i < lines.size() && !lines.get(i).trim().startsWith("```"); i++) {
            if (!lines.get(i).isBlank()) {
                steps.add(lines.get(i).trim());
            }
        }
        assertFalse("README.md has a block of viewer steps after <!-- viewer-steps -->", steps.isEmpty());
        return steps;
    }

    private static int sshPort() throws IOException {
        Properties p = new Properties();
        try (InputStream in = Files.newInputStream(Path.of(System.getProperty("karaf.etc"), "org.apache.karaf.shell.cfg"))) {
            p.load(in);
        }
        return Integer.parseInt(p.getProperty("sshPort").trim());
    }

    private static SshClient client() {
        SshClient client = SshClient.setUpDefaultClient();
        client.setServerKeyVerifier(AcceptAllServerKeyVerifier.INSTANCE);
        client.start();
        return client;
    }

    private static ClientSession login(SshClient client, String user, String password) throws Exception {
        long deadline = System.currentTimeMillis() + TIMEOUT_MILLIS;
        while (true) {
            try {
                ClientSession session = client.connect(user, "localhost", sshPort()).verify(10, TimeUnit.SECONDS)
                        .getSession();
                session.addPasswordIdentity(password);
                session.auth().verify(10, TimeUnit.SECONDS);
                return session;
            } catch (IOException e) {
                if (System.currentTimeMillis() > deadline) {
                    throw new AssertionError("SSH login of " + user + " failed: " + e, e);
                }
                Thread.sleep(500);
            }
        }
    }

    /** Types {@code input} into an interactive SSH console (with a terminal) as {@code user}; what it printed. */
    private static String sshConsole(String user, String password, String input) throws Exception {
        SshClient client = client();
        try (ClientSession session = login(client, user, password);
             ChannelShell channel = session.createShellChannel()) {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            channel.setIn(new ByteArrayInputStream(input.getBytes(StandardCharsets.UTF_8)));
            channel.setOut(out);
            channel.setErr(out);
            channel.open().verify(10, TimeUnit.SECONDS);
            channel.waitFor(EnumSet.of(ClientChannelEvent.CLOSED), TIMEOUT_MILLIS);
            String text = out.toString(StandardCharsets.UTF_8);
            System.err.println(user + "@ssh console> " + input + "\n" + text);
            return text;
        } finally {
            client.stop();
        }
    }

    /** Runs one command over SSH as {@code user}; what it printed on stdout and stderr. */
    private static String ssh(String user, String password, String command) throws Exception {
        SshClient client = client();
        try (ClientSession session = login(client, user, password);
             ChannelExec channel = session.createExecChannel(command)) {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            channel.setOut(out);
            channel.setErr(out);
            channel.open().verify(10, TimeUnit.SECONDS);
            channel.waitFor(EnumSet.of(ClientChannelEvent.CLOSED), TIMEOUT_MILLIS);
            String text = out.toString(StandardCharsets.UTF_8);
            System.err.println(user + "@ssh> " + command + "\n" + text);
            return text;
        } finally {
            client.stop();
        }
    }
}
