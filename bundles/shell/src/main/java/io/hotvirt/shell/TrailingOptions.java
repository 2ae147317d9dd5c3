package io.hotvirt.shell;

import org.apache.karaf.shell.api.action.Option;

import java.lang.reflect.Field;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

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

    /**
     * Sets a command's {@code @Option} fields (its own and its superclasses') from the options written
     * after the name, as Karaf sets them from those before it: a boolean field is a flag, a String field
     * takes a value. A flag given on both sides is set; a value given on both sides, or under two of its
     * names, is an error.
     *
     * @throws IllegalArgumentException as {@link #parse} does, and for an option given twice
     * @throws IllegalStateException    for an option field of another type (a programming error)
     */
    public static void apply(Object action, List<String> tokens) {
        Map<String, Field> fields = new LinkedHashMap<>();
        List<String> valued = new ArrayList<>();
        List<String> flags = new ArrayList<>();
        for (Class<?> type = action.getClass(); type != Object.class; type = type.getSuperclass()) {
            for (Field field : type.getDeclaredFields()) {
                Option option = field.getAnnotation(Option.class);
                if (option == null) {
                    continue;
                }
                boolean flag = field.getType() == boolean.class || field.getType() == Boolean.class;
                if (!flag && field.getType() != String.class) {
                    throw new IllegalStateException(field + ": an option after the name needs a boolean or String field");
                }
                List<String> names = new ArrayList<>(List.of(option.name()));
                names.addAll(List.of(option.aliases()));
                for (String name : names) {
                    fields.put(name, field);
                    (flag ? flags : valued).add(name);
                }
            }
        }
        Set<Field> seen = new HashSet<>();
        for (Map.Entry<String, String> given : parse(tokens, valued, flags).entrySet()) {
            Field field = fields.get(given.getKey());
            String name = field.getAnnotation(Option.class).name();
            try {
                field.setAccessible(true);
                if (!seen.add(field)) {
                    throw new IllegalArgumentException(name + " is given twice");
                }
                if (flags.contains(given.getKey())) {
                    field.set(action, true);
                } else if (field.get(action) != null) {
                    throw new IllegalArgumentException(name + " is given twice");
                } else {
                    field.set(action, given.getValue());
                }
            } catch (IllegalAccessException e) {
                throw new IllegalStateException(field + " is not accessible", e);
            }
        }
    }
}
