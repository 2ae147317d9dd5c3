package io.hotvirt.shell;

/** A count with its noun in the right number, for command output: "1 process", "3 processes". */
public final class Counted {

    private Counted() {
    }

    public static String of(long n, String noun) {
        return n + " " + noun + (n == 1 ? "" : noun.endsWith("s") ? "es" : "s");
    }
}
