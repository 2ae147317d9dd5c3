package io.hotvirt.shell;

import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Karaf reads options only before the first argument ({@code cpu:set --cpus 0.5 w1}). This parses
 * the options a person writes after the domain name ({@code cpu:set w1 --cpus 0.5}), which Karaf
 * hands over as extra arguments: {@code --name value}, {@code --name=value}, and flags.
 */
public final class TrailingOptions {

    private TrailingOptions() {
    }

    /**
     * @param valued the options that take a value, in the order an error message lists them
     * @param flags  the options without a value, listed after {@code valued}
     * @return option name (with its dashes) → value; flags map to {@code "true"}
     * @throws IllegalArgumentException for an unknown option, a missing value, a stray argument or
     *                                  an option given twice
     */
    public static Map<String, String> parse(List<String> tokens, List<String> valued, List<String> flags) {
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

    /** The option's value from before or after the name; an option given in both places is an error. */
    public static String merge(String option, String before, Map<String, String> after) {
        String value = after.get(option);
        if (value != null && before != null) {
            throw new IllegalArgumentException(option + " is given twice");
        }
        return value != null ? value : before;
    }

    /** {@link #merge(String, String, Map)} for an option with a short alias ({@code --dir} / {@code -d}). */
    public static String merge(String option, String alias, String before, Map<String, String> after) {
        if (after.containsKey(option) && after.containsKey(alias)) {
            throw new IllegalArgumentException(option + " is given twice");
        }
        String value = after.containsKey(alias) ? after.get(alias) : after.get(option);
        if (value != null && before != null) {
            throw new IllegalArgumentException(option + " is given twice");
        }
        return value != null ? value : before;
    }
}
