package io.hotvirt.itests;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The README's tour as a list of steps: every {@code $ bin/client 'COMMAND'} line of the fenced
 * blocks from the heading {@code ## A short tour} up to the next {@code ## } heading (the short
 * tour and the capability tours), in order, each with the output lines shown under it (up to the
 * next {@code $ } line or the end of the block). Text after the closing quote (a {@code # comment})
 * is not part of the command.
 *
 * <p>{@link #matches} decides whether what a command printed has the shape shown: see there.
 * Runs inside the container (JUnit 4.12 there).
 */
final class ReadmeTour {

    static final String START = "## A short tour";
    private static final String PROMPT = "$ bin/client '";

    record Step(String command, List<String> expected) {
        boolean expectsError() {
            return !expected.isEmpty() && expected.get(0).startsWith("Error");
        }
    }

    private ReadmeTour() {
    }

    static List<Step> steps(String readme) {
        List<Step> steps = new ArrayList<>();
        boolean inTour = false;
        boolean inBlock = false;
        String command = null;
        List<String> expected = new ArrayList<>();
        for (String line : readme.split("\n", -1)) {
            if (!inBlock && line.startsWith("## ")) {
                inTour = line.startsWith(START);
                continue;
            }
            if (!inTour) {
                continue;
            }
            if (line.startsWith("```")) {
                if (inBlock && command != null) {
                    steps.add(new Step(command, List.copyOf(expected)));
                    command = null;
                }
                inBlock = !inBlock;
                continue;
            }
            if (!inBlock) {
                continue;
            }
            if (line.startsWith("$ ")) {
                if (command != null) {
                    steps.add(new Step(command, List.copyOf(expected)));
                }
                if (!line.startsWith(PROMPT) || line.indexOf('\'', PROMPT.length()) < 0) {
                    throw new IllegalArgumentException("a tour line that is not $ bin/client '…': " + line);
                }
                command = line.substring(PROMPT.length(), line.indexOf('\'', PROMPT.length()));
                expected = new ArrayList<>();
            } else if (command != null) {
                if (!line.isBlank()) {
                    expected.add(line);
                }
            } else if (!line.isBlank()) {
                // another prompt (karaf@root()>) would leave its commands out of the test
                throw new IllegalArgumentException("a tour block must start with $ bin/client '…', not: " + line);
            }
        }
        return steps;
    }

    /**
     * Whether {@code actual} has the shape of {@code expected}, binding the README's PIDs, image
     * names and other numbers of three digits or more to the ones printed here (for later commands,
     * see {@link #substitute}). The rules:
     * <ul>
     * <li>the first expected line matches the first printed line, unless it is {@code …};</li>
     * <li>every other expected line matches a printed line of its own, in any order (table rows
     *     sort by PID, and PIDs wrap); printed lines may be left out, and a line of just {@code …}
     *     says so to the reader; {@code Note:} lines are optional (they depend on the host, such as
     *     swap);</li>
     * <li>a line matches when its words do: numbers match any number, units any unit of their kind
     *     (B, KiB, MiB… and their rates KiB/s…; s, ms, us), a run of {@code -} any run (table rules), lists of lowercase
     *     words ({@code cpu,memory} or {@code cpu, memory}: the capabilities) any such list, and {@code …} inside a word any text; spaces between words
     *     do not count (tables align to their content).</li>
     * </ul>
     */
    static boolean matches(List<String> expected, String actual, Map<String, String> bindings) {
        List<String> lines = new ArrayList<>();
        for (String line : actual.split("\n")) {
            if (!line.isBlank()) {
                lines.add(commaLists(line));
            }
        }
        Map<String, String> found = new LinkedHashMap<>();
        boolean[] used = new boolean[lines.size()];
        for (int e = 0; e < expected.size(); e++) {
            String want = expected.get(e);
            if (want.strip().equals("…")) {
                continue;
            }
            LinePattern pattern = LinePattern.of(commaLists(want));
            int at = -1;
            int last = e == 0 ? Math.min(1, lines.size()) : lines.size();
            // a row whose first word is the README's (w1, not w2) first, so that it binds w1's PID
            for (int pass = 0; pass < 2 && at < 0; pass++) {
                for (int a = 0; a < last; a++) {
                    if (!used[a] && (pass == 1 || firstWord(lines.get(a)).equals(firstWord(want)))
                            && pattern.bind(lines.get(a), found)) {
                        at = a;
                        break;
                    }
                }
            }
            if (at < 0) {
                if (want.startsWith("Note:")) {
                    continue;
                }
                return false;
            }
            used[at] = true;
        }
        found.forEach(bindings::putIfAbsent);
        return true;
    }

    private static String firstWord(String line) {
        String stripped = line.strip();
        int space = stripped.indexOf(' ');
        return space < 0 ? stripped : stripped.substring(0, space);
    }

    /** "cpu, memory" as "cpu,memory": one word, so that a list in another order has the same shape. */
    private static String commaLists(String line) {
        return line.replaceAll("\\b([a-z]+), (?=[a-z]+\\b)", "$1,");
    }

    /** The command with every bound README word (a PID, an image name) replaced by the one of this run. */
    static String substitute(String command, Map<String, String> bindings) {
        String result = command;
        for (Map.Entry<String, String> b : bindings.entrySet()) {
            result = result.replaceAll("(?<![\\w-])" + Pattern.quote(b.getKey()) + "(?![\\w-])",
                    Matcher.quoteReplacement(b.getValue()));
        }
        return result;
    }

    /** One expected line as a regular expression over words; words with 3+ digits capture. */
    private record LinePattern(Pattern pattern, List<String> bound) {

        private static final String NUMBER = "[0-9]+(?:[.,][0-9]+)*";
        private static final String SIZE_UNITS = "(?:B|KiB|MiB|GiB|TiB|kB|MB|GB)";
        private static final String TIME_UNITS = "(?:s|ms|us|µs|ns|min|h)";

        static LinePattern of(String line) {
            StringBuilder regex = new StringBuilder("\\s*");
            List<String> bound = new ArrayList<>();
            String[] words = line.strip().split("\\s+");
            for (int i = 0; i < words.length; i++) {
                if (i > 0) {
                    regex.append("\\s+");
                }
                String word = words[i];
                String pattern = word(word);
                if (word.matches(".*[0-9]{3,}.*") && !word.contains("…")) {
                    regex.append('(').append(pattern).append(')');
                    bound.add(word);
                } else {
                    regex.append(pattern);
                }
            }
            regex.append("\\s*");
            return new LinePattern(Pattern.compile(regex.toString()), bound);
        }

        private static String word(String word) {
            if (word.equals("…")) {
                return ".*?";
            }
            if (word.matches("[a-z]+(,[a-z]+)+,?")) {
                return "[a-z]+(?:,[a-z]+)*,?";
            }
            if (word.matches(SIZE_UNITS + "(?:/s)?[,.;)]*")) { // a size or a rate (KiB/s, MiB/s)
                return SIZE_UNITS + Pattern.quote(word.replaceAll("^[A-Za-z]+", ""));
            }
            if (word.matches(TIME_UNITS + "[,.;)]*")) {
                return TIME_UNITS + Pattern.quote(word.replaceAll("^[a-zµ]+", ""));
            }
            StringBuilder out = new StringBuilder();
            Matcher m = Pattern.compile("…|-{2,}|[0-9]+(?:[.,][0-9]+)*(?:s|ms|us)?(?![0-9])").matcher(word);
            int last = 0;
            while (m.find()) {
                out.append(Pattern.quote(word.substring(last, m.start())).replace("\\Q\\E", ""));
                String token = m.group();
                if (token.equals("…")) {
                    out.append(".*");
                } else if (token.startsWith("-")) {
                    out.append("-+");
                } else {
                    out.append(NUMBER);
                    if (token.matches(".*[a-z]")) {
                        out.append(TIME_UNITS).append('?');
                    }
                }
                last = m.end();
            }
            out.append(Pattern.quote(word.substring(last)).replace("\\Q\\E", ""));
            return out.toString();
        }

        /** Whether the printed line matches; records README word → printed word for the capturing words. */
        boolean bind(String actual, Map<String, String> into) {
            Matcher m = pattern.matcher(actual);
            if (!m.matches()) {
                return false;
            }
            for (int g = 0; g < bound.size(); g++) {
                String readme = trimPunctuation(bound.get(g));
                String printed = trimPunctuation(m.group(g + 1));
                if (!readme.equals(printed)) {
                    into.putIfAbsent(readme, printed);
                }
            }
            return true;
        }

        private static String trimPunctuation(String word) {
            return word.replaceAll("^[(]+|[,.;:)]+$", "");
        }
    }
}
