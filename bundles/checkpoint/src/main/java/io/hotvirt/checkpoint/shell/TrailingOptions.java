package io.hotvirt.checkpoint.shell;

import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Karaf reads options only before the first argument ({@code checkpoint:dump --leave-running w1}). This parses
 * the options a person writes after the domain name ({@code checkpoint:dump w1 --leave-running}), which Karaf
 * hands over as extra arguments: {@code --name value}, {@code --name=value}, and flags.
 */
final class TrailingOptions {

    private TrailingOptions() {
    }

    /**
     * @return option name (with its dashes) → value; flags map to {@code "true"}
     * @throws IllegalArgumentException for an unknown option, a missing value, a stray argument or
     *                                  an option given twice
     */
    static Map<String, String> parse(List<String> tokens, List<String> valued, List<String> flags) {
        Map<String, String> out = new LinkedHashMap<>();
        if (tokens == null) {
            return out;
        }
        Iterator<String> it = tokens.iterator();
        while (it.hasNext()) {
            String token = String.valueOf(it.next());
            int eq = token.indexOf('=');
            String name = eq > 0 ? token.substring(0, eq) : token;
            String value;
            if (valued.contains(name)) {
                if (eq > 0) {
                    value = token.substring(eq + 1);
                } else if (it.hasNext()) {
                    value = String.valueOf(it.next());
                } else {
                    throw new IllegalArgumentException(name + " needs a value");
                }
            } else if (flags.contains(token)) {
                value = "true";
            } else if (token.startsWith("-")) {
                throw new IllegalArgumentException("unknown option " + name + " (the options are "
                        + String.join(", ", valued) + (flags.isEmpty() ? "" : ", " + String.join(", ", flags)) + ")");
            } else {
                throw new IllegalArgumentException("unexpected argument '" + token + "': give one domain name");
            }
            if (out.put(name, value) != null) {
                throw new IllegalArgumentException(name + " is given twice");
            }
        }
        return out;
    }
}
