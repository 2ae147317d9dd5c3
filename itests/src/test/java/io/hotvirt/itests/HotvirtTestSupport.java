package io.hotvirt.itests;

import static org.junit.Assert.assertTrue;
import static org.junit.Assert.fail;
import static org.ops4j.pax.exam.CoreOptions.systemProperty;
import static org.ops4j.pax.exam.CoreOptions.vmOption;
import static org.ops4j.pax.exam.CoreOptions.when;
import static org.ops4j.pax.exam.karaf.options.KarafDistributionOption.configureConsole;
import static org.ops4j.pax.exam.karaf.options.KarafDistributionOption.editConfigurationFilePut;
import static org.ops4j.pax.exam.karaf.options.KarafDistributionOption.karafDistributionConfiguration;
import static org.ops4j.pax.exam.karaf.options.KarafDistributionOption.keepRuntimeFolder;
import static org.ops4j.pax.exam.karaf.options.KarafDistributionOption.logLevel;

import io.hotvirt.api.DomainInfo;
import io.hotvirt.api.DomainService;
import io.hotvirt.api.DomainState;
import io.hotvirt.api.ProcessInfo;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.File;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.PrivilegedActionException;
import java.security.PrivilegedExceptionAction;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.BooleanSupplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import javax.inject.Inject;
import javax.security.auth.Subject;
import org.apache.karaf.jaas.boot.principal.RolePrincipal;
import org.apache.karaf.jaas.boot.principal.UserPrincipal;
import org.apache.karaf.shell.api.console.Session;
import org.apache.karaf.shell.api.console.SessionFactory;
import org.junit.After;
import org.junit.Assume;
import org.junit.Before;
import org.junit.runner.RunWith;
import org.ops4j.pax.exam.Configuration;
import org.ops4j.pax.exam.Option;
import org.ops4j.pax.exam.junit.PaxExam;
import org.ops4j.pax.exam.karaf.options.LogLevelOption.LogLevel;
import org.ops4j.pax.exam.spi.reactors.ExamReactorStrategy;
import org.ops4j.pax.exam.spi.reactors.PerClass;
import org.osgi.framework.BundleContext;
import org.osgi.framework.ServiceReference;

/**
 * Boots the built hotvirt distribution once per test class (about 7 s) and gives the tests the
 * shell, the {@link DomainService} and helpers that read /proc. Runs on both sides: the
 * {@link Configuration} in the Maven JVM, everything else inside the container (JUnit 4.12 there:
 * no assertThrows).
 *
 * <p>Every domain a test makes is named {@code it-*} and lives under the cgroup root
 * {@value #CGROUP_ROOT}, never a user's {@code hotvirt}; {@link #cleanUp()} kills and removes those
 * domains and every process a test registered with {@link #stray(int)}.
 */
@RunWith(PaxExam.class)
@ExamReactorStrategy(PerClass.class)
public abstract class HotvirtTestSupport {

    static final String CGROUP_ROOT = "hotvirt-itest";
    static final String PREFIX = "it-";
    static final long TIMEOUT_MILLIS = 20_000;

    /** Ports for the test container, off Karaf's defaults (8101, 1099, 44444). */
    private static final int SSH_PORT = freePort();
    private static final int RMI_REGISTRY_PORT = freePort();
    private static final int RMI_SERVER_PORT = freePort();

    @Inject
    protected BundleContext bundleContext;

    @Inject
    protected SessionFactory sessionFactory;

    /** Processes a test started or gave back to the host; killed after the test. */
    private final List<Integer> strays = new ArrayList<>();
    private final List<Path> tempFiles = new ArrayList<>();

    // ---------------------------------------------------------------- container (Maven JVM side)

    @Configuration
    public Option[] config() {
        String zip = required("hotvirt.distribution");
        String karafVersion = required("karaf.version");
        String buildDir = System.getProperty("project.build.directory", "target");
        return new Option[] {
            karafDistributionConfiguration()
                    .frameworkUrl(new File(zip).toURI().toString())
                    .karafVersion(karafVersion)
                    .name("hotvirt")
                    .unpackDirectory(new File(buildDir, "exam"))
                    .useDeployFolder(false),
            configureConsole().ignoreLocalConsole(),
            logLevel(LogLevel.INFO),
            when(Boolean.getBoolean("hotvirt.itest.keep")).useOptions(keepRuntimeFolder()),
            // TOOLCHAIN trap 12: never collide with a running Karaf.
            editConfigurationFilePut("etc/org.apache.karaf.shell.cfg", "sshPort", String.valueOf(SSH_PORT)),
            editConfigurationFilePut("etc/org.apache.karaf.management.cfg", "rmiRegistryPort",
                    String.valueOf(RMI_REGISTRY_PORT)),
            editConfigurationFilePut("etc/org.apache.karaf.management.cfg", "rmiServerPort",
                    String.valueOf(RMI_SERVER_PORT)),
            // TOOLCHAIN trap 8: Pax Exam's own bundles come from the local repository, nowhere else.
            editConfigurationFilePut("etc/org.ops4j.pax.url.mvn.cfg", "org.ops4j.pax.url.mvn.localRepository",
                    required("hotvirt.localRepository")),
            editConfigurationFilePut("etc/org.ops4j.pax.url.mvn.cfg", "org.ops4j.pax.url.mvn.repositories", ""),
            systemProperty("hotvirt.cgroup.root").value(CGROUP_ROOT),
            systemProperty("hotvirt.requirePrivileged").value(System.getProperty("hotvirt.requirePrivileged", "")),
            // TOOLCHAIN trap 9: what bin/karaf passes on Java 9+, which Pax Exam does not.
            vmOption("--add-reads=java.xml=java.logging"),
            vmOption("--add-exports=java.base/org.apache.karaf.specs.locator=java.xml,ALL-UNNAMED"),
            vmOption("--patch-module"),
            vmOption("java.base=lib/endorsed/org.apache.karaf.specs.locator-" + karafVersion + ".jar"),
            vmOption("--patch-module"),
            vmOption("java.xml=lib/endorsed/org.apache.karaf.specs.java.xml-" + karafVersion + ".jar"),
            vmOption("--add-opens"), vmOption("java.base/java.security=ALL-UNNAMED"),
            vmOption("--add-opens"), vmOption("java.base/java.net=ALL-UNNAMED"),
            vmOption("--add-opens"), vmOption("java.base/java.lang=ALL-UNNAMED"),
            vmOption("--add-opens"), vmOption("java.base/java.util=ALL-UNNAMED"),
            vmOption("--add-opens"), vmOption("java.naming/javax.naming.spi=ALL-UNNAMED"),
            vmOption("--add-opens"), vmOption("java.rmi/sun.rmi.transport.tcp=ALL-UNNAMED"),
            vmOption("--add-exports=java.base/sun.net.www.protocol.file=ALL-UNNAMED"),
            vmOption("--add-exports=java.base/sun.net.www.protocol.ftp=ALL-UNNAMED"),
            vmOption("--add-exports=java.base/sun.net.www.protocol.http=ALL-UNNAMED"),
            vmOption("--add-exports=java.base/sun.net.www.protocol.https=ALL-UNNAMED"),
            vmOption("--add-exports=java.base/sun.net.www.protocol.jar=ALL-UNNAMED"),
            vmOption("--add-exports=java.base/sun.net.www.content.text=ALL-UNNAMED"),
            vmOption("--add-exports=jdk.xml.dom/org.w3c.dom.html=ALL-UNNAMED"),
            vmOption("--add-exports=jdk.naming.rmi/com.sun.jndi.url.rmi=ALL-UNNAMED"),
            vmOption("--add-exports=java.rmi/sun.rmi.registry=ALL-UNNAMED"),
            vmOption("--add-exports=java.security.sasl/com.sun.security.sasl=ALL-UNNAMED"),
            vmOption("--add-exports=java.naming/com.sun.jndi.ldap=ALL-UNNAMED"),
            vmOption("-classpath"),
            vmOption("lib/jdk9plus/*" + File.pathSeparator + "lib/boot/*"),
        };
    }

    private static String required(String property) {
        String value = System.getProperty(property);
        if (value == null || value.isEmpty() || value.startsWith("${")) {
            throw new IllegalStateException("system property " + property + " is not set: run the itests with Maven"
                    + " (mvn verify), which sets it in itests/pom.xml");
        }
        return value;
    }

    private static int freePort() {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    // ---------------------------------------------------------------- inside the container

    /** The kernel tests need root; they skip without it unless hotvirt.requirePrivileged=1 (CI). */
    @Before
    public void requirePrivileges() throws IOException {
        boolean root = Files.readAllLines(Path.of("/proc/self/status")).stream()
                .filter(l -> l.startsWith("Uid:")).anyMatch(l -> l.split("\\s+")[1].equals("0"));
        if (!root) {
            String required = System.getProperty("hotvirt.requirePrivileged", "");
            if (required.equals("1") || required.equalsIgnoreCase("true")) {
                fail("hotvirt's integration tests need root (cgroups, other users' processes), and"
                        + " hotvirt.requirePrivileged=" + required + " forbids skipping them");
            }
            Assume.assumeTrue("hotvirt's integration tests need root; skipped", false);
        }
        assertTrue("the container runs with hotvirt.cgroup.root=" + CGROUP_ROOT,
                CGROUP_ROOT.equals(System.getProperty("hotvirt.cgroup.root")));
    }

    /** Kills and removes every it-* domain, kills every stray, deletes temporary files. */
    @After
    public void cleanUp() throws Exception {
        DomainService domains = domains();
        for (DomainInfo d : domains.list()) {
            if (!d.name().startsWith(PREFIX)) {
                continue;
            }
            try {
                if (d.state() == DomainState.RUNNING) {
                    for (int pid : pids(domains.processTree(d.name()))) {
                        stray(pid);
                    }
                    domains.kill(d.name(), 9);
                    waitFor("domain " + d.name() + " to exit", () -> domains.find(d.name())
                            .map(i -> i.state() == DomainState.EXITED).orElse(true));
                }
                if (domains.find(d.name()).isPresent()) {
                    domains.remove(d.name());
                }
            } catch (Exception e) {
                System.err.println("cleanup of domain " + d.name() + " failed: " + e);
            }
        }
        for (int pid : strays) {
            killTree(pid);
        }
        strays.clear();
        for (Path file : tempFiles) {
            if (Files.exists(file)) {
                try (Stream<Path> walk = Files.walk(file)) {
                    walk.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
                }
            }
        }
        tempFiles.clear();
    }

    /** The current DomainService (it changes when io.hotvirt.core restarts), waiting for it. */
    protected DomainService domains() throws InterruptedException {
        long deadline = System.currentTimeMillis() + TIMEOUT_MILLIS;
        while (true) {
            ServiceReference<DomainService> ref = bundleContext.getServiceReference(DomainService.class);
            DomainService service = ref == null ? null : bundleContext.getService(ref);
            if (service != null) {
                return service;
            }
            if (System.currentTimeMillis() > deadline) {
                fail("no DomainService within " + TIMEOUT_MILLIS + " ms");
            }
            Thread.sleep(100);
        }
    }

    /** What a shell command printed, and what it threw. */
    protected static final class Result {
        final String out;
        final Exception error;

        Result(String out, Exception error) {
            this.out = out;
            this.error = error;
        }

        /** Output and error message together: where a user would read about a failure. */
        String text() {
            return out + (error == null ? "" : "\nError: " + error.getMessage());
        }

        @Override
        public String toString() {
            return text();
        }
    }

    /**
     * The roles of a user at Karaf's local console ({@code karaf.local.roles}): the command ACLs let
     * it run everything. A session without a JAAS subject may run no command an ACL names.
     */
    protected static final Subject ADMIN = subject("karaf", "admin", "manager", "viewer", "systembundles");

    /** A JAAS subject as Karaf's login modules make it: the user and its roles. */
    protected static Subject subject(String user, String... roles) {
        Subject subject = new Subject();
        subject.getPrincipals().add(new UserPrincipal(user));
        for (String role : roles) {
            subject.getPrincipals().add(new RolePrincipal(role));
        }
        return subject;
    }

    /** Runs a command in a Karaf shell session, as an administrator at the console would. */
    protected Result shell(String command) {
        return shell(ADMIN, command);
    }

    /** Runs a command in a Karaf shell session as {@code user} (its roles decide what the ACLs allow). */
    protected Result shell(Subject user, String command) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        PrintStream out = new PrintStream(bytes, true, StandardCharsets.UTF_8);
        Exception error = null;
        try {
            error = Subject.doAs(user, (PrivilegedExceptionAction<Exception>) () -> {
                Session session = sessionFactory.create(new ByteArrayInputStream(new byte[0]), out, out);
                try {
                    Object value = session.execute(command);
                    if (value != null) {
                        out.println(value);
                    }
                    return null;
                } catch (Exception e) {
                    return e;
                } finally {
                    out.flush();
                    session.close();
                }
            });
        } catch (PrivilegedActionException e) {
            error = e.getException();
        }
        Result result = new Result(bytes.toString(StandardCharsets.UTF_8), error);
        System.err.println("karaf@hotvirt()> " + command + "\n" + result.text());
        return result;
    }

    /** Runs a command that must succeed; retries while the command is not registered yet. */
    protected String ok(String command) throws InterruptedException {
        long deadline = System.currentTimeMillis() + TIMEOUT_MILLIS;
        while (true) {
            Result r = shell(command);
            if (r.error == null) {
                return r.out;
            }
            boolean unknown = r.error.getClass().getSimpleName().equals("CommandNotFoundException");
            if (!unknown || System.currentTimeMillis() > deadline) {
                throw new AssertionError(command + " failed: " + r.text(), r.error);
            }
            Thread.sleep(200);
        }
    }

    /** Runs a command that must fail, and returns what the user reads. */
    protected String failing(String command) {
        Result r = shell(command);
        if (r.error == null && !r.out.contains("Error")) {
            fail(command + " should have failed but printed: " + r.out);
        }
        return r.text();
    }

    static void assertContains(String text, String fragment) {
        if (!text.contains(fragment)) {
            fail("expected «" + fragment + "» in:\n" + text);
        }
    }

    static int group(String text, String regex) {
        Matcher m = Pattern.compile(regex).matcher(text);
        if (!m.find()) {
            fail("expected /" + regex + "/ in:\n" + text);
        }
        return Integer.parseInt(m.group(1));
    }

    protected static void waitFor(String what, BooleanSupplier condition) throws InterruptedException {
        long deadline = System.currentTimeMillis() + TIMEOUT_MILLIS;
        while (!condition.getAsBoolean()) {
            if (System.currentTimeMillis() > deadline) {
                fail("timed out after " + TIMEOUT_MILLIS + " ms waiting for " + what);
            }
            Thread.sleep(50);
        }
    }

    /** Registers a process to be killed (with its descendants) after the test. */
    protected int stray(int pid) {
        strays.add(pid);
        return pid;
    }

    protected Path tempDir() throws IOException {
        Path dir = Files.createTempDirectory("hotvirt-it-");
        tempFiles.add(dir);
        return dir;
    }

    // ---------------------------------------------------------------- /proc

    /** Alive and not a zombie. */
    static boolean alive(int pid) {
        try {
            String stat = Files.readString(Path.of("/proc/" + pid + "/stat"));
            char state = stat.charAt(stat.lastIndexOf(')') + 2);
            return state != 'Z' && state != 'X';
        } catch (IOException e) {
            return false;
        }
    }

    static String cgroups(int pid) {
        try {
            return Files.readString(Path.of("/proc/" + pid + "/cgroup"));
        } catch (IOException e) {
            return "";
        }
    }

    /** Whether /proc/PID/cgroup names the domain's cgroup {@code hotvirt-itest/NAME}. */
    static boolean inDomain(int pid, String name) {
        String path = "/" + CGROUP_ROOT + "/" + name;
        return cgroups(pid).lines().anyMatch(l -> l.endsWith(":" + path) || l.contains(":" + path + "/"));
    }

    /** Whether no line of /proc/PID/cgroup is under the test cgroup root. */
    static boolean outsideHotvirt(int pid) {
        String root = "/" + CGROUP_ROOT;
        return cgroups(pid).lines().noneMatch(l -> l.endsWith(":" + root) || l.contains(":" + root + "/"));
    }

    static Set<Integer> children(int pid) {
        Set<Integer> children = new TreeSet<>();
        try (Stream<Path> tasks = Files.list(Path.of("/proc/" + pid + "/task"))) {
            for (Path task : (Iterable<Path>) tasks::iterator) {
                String text = Files.readString(task.resolve("children")).trim();
                if (!text.isEmpty()) {
                    for (String child : text.split("\\s+")) {
                        children.add(Integer.parseInt(child));
                    }
                }
            }
        } catch (IOException e) {
            // gone
        }
        return children;
    }

    static Set<Integer> pids(List<ProcessInfo> tree) {
        Set<Integer> pids = new TreeSet<>();
        for (ProcessInfo p : tree) {
            pids.add(p.pid());
            pids.addAll(pids(p.children()));
        }
        return pids;
    }

    static void killTree(int pid) {
        List<Integer> all = new ArrayList<>();
        collect(pid, all);
        for (int p : all) {
            ProcessHandle.of(p).ifPresent(ProcessHandle::destroyForcibly);
        }
    }

    private static void collect(int pid, List<Integer> into) {
        into.add(pid);
        for (int child : children(pid)) {
            collect(child, into);
        }
    }

    /** A PID no process has: the first free one from 99999 up. */
    static int deadPid() {
        int pid = 99999;
        while (Files.exists(Path.of("/proc/" + pid))) {
            pid++;
        }
        return pid;
    }
}
