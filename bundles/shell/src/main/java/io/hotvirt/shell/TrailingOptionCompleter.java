package io.hotvirt.shell;

import org.apache.karaf.shell.api.action.lifecycle.Service;
import org.apache.karaf.shell.api.console.Candidate;
import org.apache.karaf.shell.api.console.Command;
import org.apache.karaf.shell.api.console.CommandLine;
import org.apache.karaf.shell.api.console.Completer;
import org.apache.karaf.shell.api.console.Session;

import java.util.ArrayList;
import java.util.List;

/**
 * Completes the options a person writes after the domain name ({@code memory:set w1 --<TAB>}).
 * Karaf completes options only before the first argument; after it, it asks the completer of the
 * argument that collects the rest ({@link DomainCommand}'s "options"). This completer asks the
 * command's own completer for its options, as if the word stood before the name, so the list (with
 * its descriptions) is Karaf's and never a copy. The value after an option that takes one is
 * Karaf's business: it completes with that option's own {@code @Completion} (e.g. signal names
 * after {@code domain:kill w1 -s}) and never gets here.
 */
@Service
public class TrailingOptionCompleter implements Completer {

    @Override
    public int complete(Session session, CommandLine line, List<String> candidates) {
        List<Candidate> found = new ArrayList<>();
        completeCandidates(session, line, found);
        found.forEach(c -> candidates.add(c.value()));
        return found.isEmpty() ? -1 : line.getBufferPosition() - line.getArgumentPosition();
    }

    @Override
    public void completeCandidates(Session session, CommandLine line, List<Candidate> candidates) {
        String word = typed(line);
        if (line.getCursorArgumentIndex() < 1) {
            // Karaf checks each word before the cursor against this completer alone, out of its line:
            // any word may be an option or an option's value here, so every word passes.
            candidates.add(new Candidate(word));
            return;
        }
        if (!word.isEmpty() && !word.startsWith("-")) {
            return; // a stray word or a value: nothing to offer
        }
        Command command = command(session, line.getArguments()[0]);
        if (command == null) {
            return;
        }
        String first = line.getArguments()[0];
        List<Candidate> options = new ArrayList<>();
        command.getCompleter(false).completeCandidates(session, new Words(first, word.isEmpty() ? "-" : word), options);
        for (Candidate option : options) {
            if (option.value().startsWith(word)) {
                candidates.add(option);
            }
        }
    }

    /** The cursor's word up to the cursor. */
    private static String typed(CommandLine line) {
        String word = line.getCursorArgument();
        if (word == null) {
            return "";
        }
        return word.substring(0, Math.max(0, Math.min(line.getArgumentPosition(), word.length())));
    }

    private static Command command(Session session, String word) {
        try {
            String full = session.resolveCommand(word);
            int colon = full.indexOf(':');
            return colon < 0 ? null : session.getRegistry().getCommand(full.substring(0, colon), full.substring(colon + 1));
        } catch (RuntimeException unknown) {
            return null;
        }
    }

    /** The two-word line {@code command word}, cursor at the end of the word. */
    private record Words(String command, String word) implements CommandLine {

        @Override
        public int getCursorArgumentIndex() {
            return 1;
        }

        @Override
        public String getCursorArgument() {
            return word;
        }

        @Override
        public int getArgumentPosition() {
            return word.length();
        }

        @Override
        public String[] getArguments() {
            return new String[] {command, word};
        }

        @Override
        public int getBufferPosition() {
            return getBuffer().length();
        }

        @Override
        public String getBuffer() {
            return command + " " + word;
        }
    }
}
