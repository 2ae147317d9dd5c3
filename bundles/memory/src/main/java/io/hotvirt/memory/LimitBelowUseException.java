package io.hotvirt.memory;

import java.util.List;

/** A limit below what the domain uses now, given without --force: nothing was changed. */
public final class LimitBelowUseException extends IllegalArgumentException {

    private static final long serialVersionUID = 1L;

    private final List<String> warnings;

    public LimitBelowUseException(String domain, List<String> warnings) {
        super("not changed: " + String.join("\n", warnings) + "\nGive --force to set " + (warnings.size() == 1
                ? "this limit" : "these limits") + " on domain " + domain + " anyway.");
        this.warnings = List.copyOf(warnings);
    }

    public List<String> warnings() {
        return warnings;
    }
}
