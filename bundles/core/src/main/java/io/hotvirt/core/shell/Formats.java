package io.hotvirt.core.shell;

import io.hotvirt.api.DomainInfo;
import io.hotvirt.api.DomainState;

import java.util.List;

/** How the domain commands show states and command lines (sizes and durations: io.hotvirt.shell.Units). */
final class Formats {

    private Formats() {
    }

    static String state(DomainInfo domain) {
        if (domain.state() == DomainState.EXITED && domain.exitStatus() != null) {
            return "EXITED (" + domain.exitStatus() + ")";
        }
        return domain.state().name();
    }

    /** A command line as a shell would read it back: arguments with spaces or quotes are quoted. */
    static String command(List<String> argv) {
        StringBuilder line = new StringBuilder();
        for (String arg : argv) {
            if (line.length() > 0) {
                line.append(' ');
            }
            if (!arg.isEmpty() && arg.matches("[A-Za-z0-9_@%+=:,./-]+")) {
                line.append(arg);
            } else {
                line.append('\'').append(arg.replace("'", "'\\''")).append('\'');
            }
        }
        return line.toString();
    }
}
