package io.hotvirt.itests;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import io.hotvirt.api.DomainService;
import io.hotvirt.api.DomainState;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import org.apache.karaf.shell.api.console.Candidate;
import org.apache.karaf.shell.api.console.Command;
import org.apache.karaf.shell.api.console.CommandLine;
import org.apache.karaf.shell.api.console.Session;
import org.junit.Test;

/**
 * Tab completion of domain names, of the options written after the name and of signal names. The completers live in io.hotvirt.shell and are registered by that
 * bundle's Karaf-Commands header; the commands of io.hotvirt.core, .cpu, .memory and .checkpoint name
 * them in {@code @Completion} and Karaf finds them in the shell's registry by class.
 */
public class CompletionIT extends HotvirtTestSupport {

    private static final String RUNNING = PREFIX + "comp-run";
    private static final String EXITED = PREFIX + "comp-gone";

    @Test
    public void domainNamesComplete() throws Exception {
        DomainService domains = domains();
        stray(domains.launch(RUNNING, List.of("sh", "-c", "while :; do sleep 1; done")).rootPid());
        stray(domains.launch(EXITED, List.of("sh", "-c", "while :; do sleep 1; done")).rootPid());
        domains.kill(EXITED, 9);
        waitFor(EXITED + " to exit", () -> domains.find(EXITED).map(i -> i.state() == DomainState.EXITED)
                .orElse(false));

        Set<String> all = Set.of(RUNNING, EXITED);
        Set<String> running = Set.of(RUNNING);
        assertEquals(all, complete("domain", "info", PREFIX + "comp-"));
        assertEquals(all, complete("domain", "remove", PREFIX + "comp-"));
        assertEquals(running, complete("cpu", "set", PREFIX + "comp-"));
        assertEquals(running, complete("cpu", "show", PREFIX + "comp-"));
        assertEquals(running, complete("memory", "set", PREFIX + "comp-"));
        assertEquals(running, complete("memory", "map", PREFIX + "comp-"));
        assertEquals(running, complete("checkpoint", "dump", PREFIX + "comp-"));
        assertEquals(running, complete("cpu", "set", PREFIX + "comp-r"));
        assertEquals(Set.of(), complete("cpu", "set", "nosuch"));
    }

    @Test
    public void optionsAfterTheNameComplete() throws Exception {
        DomainService domains = domains();
        stray(domains.launch(RUNNING, List.of("sh", "-c", "while :; do sleep 1; done")).rootPid());

        // the README's form: the options follow the name
        assertEquals(Set.of("--max", "--high", "--swap-max", "--reset", "--force", "--help"),
                words("memory:set", RUNNING, "--"));
        assertEquals(Set.of("--swap-max"), words("memory:set", RUNNING, "--max", "64M", "--sw"));
        assertEquals(Set.of("--force"), words("memory:set", RUNNING, "--reset", "--f"));
        assertTrue(words("memory:set", RUNNING, "").contains("--high")); // Tab after a space offers them too
        assertEquals(Set.of("--cpus"), words("cpu:set", RUNNING, "--cp"));
        assertEquals(Set.of("--no-format"), words("memory:map", RUNNING, "-d", "--no")); // after a flag
        assertEquals(Set.of("--leave-running"), words("checkpoint:dump", RUNNING, "--leave"));
        assertEquals(Set.of("--signal", "--help"), words("domain:kill", RUNNING, "-s", "TERM", "--")); // after a value
        // a value is not an option: nothing to offer while one is typed
        assertEquals(Set.of(), words("memory:set", RUNNING, "--max", ""));
        assertEquals(Set.of(), words("memory:set", RUNNING, "--max", "6"));
        // the console's path (candidates with descriptions) offers the same
        assertEquals(Set.of("--swap-max"), candidates("memory:set", RUNNING, "--sw"));
    }

    @Test
    public void signalNamesComplete() throws Exception {
        DomainService domains = domains();
        stray(domains.launch(RUNNING, List.of("sh", "-c", "while :; do sleep 1; done")).rootPid());

        assertEquals(Set.of("TERM", "TRAP", "TSTP", "TTIN", "TTOU"), words("domain:kill", RUNNING, "-s", "T"));
        assertEquals(Set.of("HUP"), words("domain:kill", RUNNING, "--signal", "HU"));
        assertEquals(Set.of("HUP"), words("domain:kill", RUNNING, "-s", "hu")); // any case, as Signals.parse reads it
        assertEquals(Set.of("TERM"), words("domain:kill", "-s", "TE")); // before the name, too
        assertTrue(words("domain:kill", RUNNING, "-s", "").containsAll(Set.of("KILL", "TERM", "HUP", "USR1")));
        assertEquals(Set.of(), words("domain:kill", RUNNING, "-s", "NOSUCH"));
    }

    /** What Tab offers for the last word of {@code line} (the cursor at its end), trimmed. */
    private Set<String> words(String... line) throws InterruptedException {
        return offered(false, line);
    }

    /** {@link #words}, through completeCandidates as Karaf's console asks. */
    private Set<String> candidates(String... line) throws InterruptedException {
        return offered(true, line);
    }

    private Set<String> offered(boolean asConsole, String... line) throws InterruptedException {
        PrintStream out = new PrintStream(new ByteArrayOutputStream(), true);
        Session session = sessionFactory.create(new ByteArrayInputStream(new byte[0]), out, out);
        try {
            String[] scopeName = line[0].split(":");
            Command command = command(session, scopeName[0], scopeName[1]);
            String buffer = String.join(" ", line);
            Set<String> offered = new TreeSet<>();
            if (asConsole) {
                List<Candidate> candidates = new ArrayList<>();
                command.getCompleter(false).completeCandidates(session, new Line(line, buffer), candidates);
                candidates.forEach(c -> offered.add(c.value().trim()));
            } else {
                List<String> candidates = new ArrayList<>();
                command.getCompleter(false).complete(session, new Line(line, buffer), candidates);
                candidates.forEach(c -> offered.add(c.trim()));
            }
            // Karaf's console keeps what starts with the word; some completers leave that to it
            String word = line[line.length - 1];
            offered.removeIf(c -> !c.toUpperCase().startsWith(word.toUpperCase()));
            System.err.println("complete " + buffer + " -> " + offered);
            return offered;
        } finally {
            session.close();
        }
    }

    private static Command command(Session session, String scope, String name) throws InterruptedException {
        Command command;
        long deadline = System.currentTimeMillis() + TIMEOUT_MILLIS;
        while ((command = session.getRegistry().getCommand(scope, name)) == null) {
            if (System.currentTimeMillis() > deadline) {
                throw new AssertionError("no command " + scope + ":" + name);
            }
            Thread.sleep(200);
        }
        return command;
    }

    /** What Tab offers after {@code scope:name prefix}, as a console session's completion asks for it. */
    private Set<String> complete(String scope, String name, String prefix) throws InterruptedException {
        PrintStream out = new PrintStream(new ByteArrayOutputStream(), true);
        Session session = sessionFactory.create(new ByteArrayInputStream(new byte[0]), out, out);
        try {
            Command command = null;
            long deadline = System.currentTimeMillis() + TIMEOUT_MILLIS;
            while ((command = session.getRegistry().getCommand(scope, name)) == null) {
                if (System.currentTimeMillis() > deadline) {
                    throw new AssertionError("no command " + scope + ":" + name);
                }
                Thread.sleep(200);
            }
            String[] args = {scope + ":" + name, prefix};
            String buffer = String.join(" ", args);
            List<String> candidates = new ArrayList<>();
            command.getCompleter(false).complete(session, new Line(args, buffer), candidates);
            Set<String> names = new TreeSet<>();
            for (String c : candidates) {
                if (c.trim().startsWith(PREFIX) || c.trim().startsWith(prefix)) {
                    names.add(c.trim());
                }
            }
            System.err.println("complete " + buffer + " -> " + candidates);
            return names;
        } finally {
            session.close();
        }
    }

    /** The command line with the cursor at the end of the second word. */
    private static final class Line implements CommandLine {
        private final String[] args;
        private final String buffer;

        Line(String[] args, String buffer) {
            this.args = args;
            this.buffer = buffer;
        }

        @Override
        public int getCursorArgumentIndex() {
            return args.length - 1;
        }

        @Override
        public String getCursorArgument() {
            return args[args.length - 1];
        }

        @Override
        public int getArgumentPosition() {
            return getCursorArgument().length();
        }

        @Override
        public String[] getArguments() {
            return args;
        }

        @Override
        public int getBufferPosition() {
            return buffer.length();
        }

        @Override
        public String getBuffer() {
            return buffer;
        }
    }
}
