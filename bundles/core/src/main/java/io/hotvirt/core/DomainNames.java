package io.hotvirt.core;

import java.util.regex.Pattern;

/** Domain names become cgroup directory and log file names, so they are kept to a safe alphabet. */
final class DomainNames {

    private static final Pattern VALID = Pattern.compile("[A-Za-z0-9][A-Za-z0-9_.-]{0,62}");

    private DomainNames() {
    }

    static String check(String name) {
        if (name == null || !VALID.matcher(name).matches()) {
            throw new IllegalArgumentException("invalid domain name '" + name
                    + "': use 1 to 63 letters, digits, '.', '_' or '-', starting with a letter or digit");
        }
        return name;
    }
}
