package io.hotvirt.itests;

import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;
import static org.junit.Assert.fail;
import static org.ops4j.pax.exam.CoreOptions.systemProperty;

import io.hotvirt.api.Capability;
import io.hotvirt.api.DomainInfo;
import io.hotvirt.api.DomainService;
import io.hotvirt.api.DomainState;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.After;
import org.junit.Test;
import org.ops4j.pax.exam.Configuration;
import org.ops4j.pax.exam.Option;
import org.ops4j.pax.exam.OptionUtils;
import org.osgi.framework.Bundle;
import org.osgi.framework.InvalidSyntaxException;

/**
 * The README's tour runs as written on a fresh start: every {@code $ bin/client '…'} command of
 * the section "A short tour" and the capability tours after it (see {@link ReadmeTour} for how they
 * are found and how output is compared), in order, in a shell session of a freshly booted
 * container, as a user would type them. Each must succeed (or fail, where the README shows an
 * error) and print what the README shows, up to PIDs, times, sizes and image names; the PIDs and
 * image names the README's later commands use are the ones this run printed.
 *
 * <p>The README path comes from itests/pom.xml (system property {@code hotvirt.readme}). The
 * container's cgroup root is {@value #CGROUP_ROOT}, which the comparison reads as {@code hotvirt}.
 * Domains and images the tour leaves behind (when it fails half-way) are removed afterwards.
 */
public class ReadmeTourIT extends HotvirtTestSupport {

    /** How long a read-only command (list, show …) is repeated until it shows what the README does. */
    private static final long SETTLE_MILLIS = 10_000;
    /**
     * The pause before each command: bin/client takes a second or more to start, so no user runs
     * two commands closer together. Back to back, {@code checkpoint:restore} right after
     * {@code domain:kill}/{@code domain:list}/{@code domain:remove} of w1 found w1's old root PID
     * still taken (its zombie not reaped yet although domain:list showed it EXITED).
     */
    private static final long PACE_MILLIS = 1_000;

    @Configuration
    @Override
    public Option[] config() {
        String readme = System.getProperty("hotvirt.readme");
        if (readme == null || readme.startsWith("${") || !Files.isRegularFile(Path.of(readme))) {
            throw new IllegalStateException("system property hotvirt.readme (" + readme + ") does not name the"
                    + " README: run the itests with Maven (mvn verify), which sets it in itests/pom.xml");
        }
        return OptionUtils.combine(super.config(), systemProperty("hotvirt.readme").value(readme));
    }

    @Test
    public void theTourRunsAsWritten() throws Exception {
        List<ReadmeTour.Step> steps = ReadmeTour.steps(Files.readString(Path.of(System.getProperty("hotvirt.readme"))));
        assertTrue("the README's tour has its commands, found " + steps.size(), steps.size() > 20);
        waitForCapabilities(2); // cpu and memory

        Map<String, String> bindings = new LinkedHashMap<>();
        StringBuilder transcript = new StringBuilder();
        for (ReadmeTour.Step step : steps) {
            String command = ReadmeTour.substitute(step.command(), bindings);
            Thread.sleep(PACE_MILLIS);
            long deadline = System.currentTimeMillis() + (readOnly(command) ? SETTLE_MILLIS : 0);
            while (true) {
                Result r = run(command);
                String printed = asPrinted(r);
                boolean failed = r.error != null;
                boolean shape = ReadmeTour.matches(step.expected(), printed, bindings);
                if (failed == step.expectsError() && shape) {
                    transcript.append("$ bin/client '").append(command).append("'\n").append(printed);
                    break;
                }
                if (System.currentTimeMillis() < deadline) {
                    Thread.sleep(250);
                    continue;
                }
                fail("The README's tour, as run so far:\n" + transcript + "\n$ bin/client '" + command + "'   (README: '"
                        + step.command() + "')\n" + printed + "\n\n"
                        + (failed != step.expectsError()
                                ? (failed ? "failed, where the README shows it succeed" : "succeeded, where the README shows an error")
                                : "does not have the shape the README shows:\n" + String.join("\n", step.expected()))
                        + "\n\n(README numbers and names bound so far: " + bindings + ")");
            }
        }
        assertFalse("the tour cleans up after itself: no domain is left", domains().list().iterator().hasNext());
    }

    /**
     * Runs the command as an admin, as {@code bin/client} does for the user who started hotvirt
     * (in admingroup), retrying while it is not registered yet (a capability bundle restarting).
     */
    private Result run(String command) throws InterruptedException {
        long deadline = System.currentTimeMillis() + TIMEOUT_MILLIS;
        while (true) {
            Result r = shell(command);
            boolean unknown = r.error != null && r.error.getClass().getSimpleName().equals("CommandNotFoundException");
            if (!unknown || System.currentTimeMillis() > deadline) {
                return r;
            }
            Thread.sleep(200);
        }
    }

    /** What {@code bin/client} shows: the output, then Karaf's line for a failed command; the test's cgroup root read as hotvirt. */
    private static String asPrinted(Result r) {
        String text = r.out + (r.error == null ? "" : "Error executing command: " + r.error.getMessage() + "\n");
        return text.replace(CGROUP_ROOT + "/", "hotvirt/");
    }

    private static boolean readOnly(String command) {
        return command.matches("\\S+:(list|info|show|top|map|verify)\\b.*");
    }

    /** A fresh start: the capabilities are up before the first domain is launched (the README lists them on it). */
    private void waitForCapabilities(int count) throws InterruptedException {
        waitFor(count + " capabilities and every hotvirt bundle active", () -> {
            try {
                boolean allActive = Arrays.stream(bundleContext.getBundles())
                        .filter(b -> b.getSymbolicName() != null && b.getSymbolicName().startsWith("io.hotvirt."))
                        .allMatch(b -> b.getState() == Bundle.ACTIVE);
                return allActive && bundleContext.getServiceReferences(Capability.class, null).size() >= count;
            } catch (InvalidSyntaxException e) {
                throw new IllegalStateException(e);
            }
        });
    }

    /** Whatever the tour left when it failed half-way: every domain (the container is this class's own) and image. */
    @After
    public void removeWhatTheTourLeft() throws Exception {
        DomainService domains = domains();
        for (DomainInfo d : domains.list()) {
            try {
                if (d.state() == DomainState.RUNNING) {
                    for (int pid : pids(domains.processTree(d.name()))) {
                        stray(pid);
                    }
                    domains.kill(d.name(), 9);
                    waitFor("domain " + d.name() + " to exit", () -> domains.find(d.name())
                            .map(i -> i.state() == DomainState.EXITED).orElse(true));
                }
                domains.remove(d.name());
            } catch (Exception e) {
                System.err.println("cleanup of domain " + d.name() + " failed: " + e);
            }
        }
        Result images = shell("checkpoint:list");
        for (String line : images.out.split("\n")) {
            String first = line.split("\\s")[0];
            if (first.matches("[\\w.-]+-\\d{8}-\\d{6}")) {
                shell("checkpoint:delete " + first);
            }
        }
    }
}
