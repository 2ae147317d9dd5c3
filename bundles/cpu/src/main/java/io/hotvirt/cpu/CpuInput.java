package io.hotvirt.cpu;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/**
 * Parses and checks what a person asks for against the CPUs this machine has online. Every method
 * either returns a valid value or throws {@link IllegalArgumentException} with a message that says
 * what is wrong and what would be right; nothing is changed until all of it is valid.
 */
public final class CpuInput {

    /** Lifts the bandwidth limit in {@code --cpus}. */
    public static final String UNLIMITED = "max";
    /** Restores the default weight in {@code --weight}. */
    public static final String DEFAULT = "default";
    /** Removes the pin in {@code --pin}. */
    public static final String ALL = "all";

    private static final Pattern DECIMAL = Pattern.compile("[0-9]{1,40}(\\.[0-9]{1,40})?|\\.[0-9]{1,40}");
    private static final Pattern INTEGER = Pattern.compile("[0-9]{1,9}");

    private final CpuList online;

    public CpuInput(CpuList online) {
        if (online.isEmpty()) {
            throw new IllegalArgumentException("no online CPUs known");
        }
        this.online = online;
    }

    public CpuList online() {
        return online;
    }

    /**
     * {@code --cpus}: a positive decimal number of CPUs, at least 0.01 (the kernel's 1 ms quota) and
     * at most the number of online CPUs; {@code max} (or {@code unlimited}) gives {@code null}: no limit.
     */
    public Double cpus(String text) {
        String t = text.strip();
        if (t.equalsIgnoreCase(UNLIMITED) || t.equalsIgnoreCase("unlimited")) {
            return null;
        }
        boolean negative = t.startsWith("-") && DECIMAL.matcher(t.substring(1)).matches();
        double cpus = negative ? -1 : number(t, "--cpus");
        if (cpus <= 0) {
            throw new IllegalArgumentException("--cpus " + t + " would stop the domain; give a positive number of"
                    + " CPUs (at least " + CpuBandwidth.format(CpuBandwidth.MIN_CPUS) + "), or '" + UNLIMITED
                    + "' to lift the limit");
        }
        if (cpus < CpuBandwidth.MIN_CPUS) {
            throw new IllegalArgumentException("--cpus " + t + " is below the smallest limit the kernel takes, "
                    + CpuBandwidth.format(CpuBandwidth.MIN_CPUS) + " (1 ms of CPU time per 100 ms period)");
        }
        if (cpus > online.count()) {
            throw new IllegalArgumentException("--cpus " + t + " is more than the " + online.count()
                    + " CPUs online (" + online + "); give at most " + online.count() + ", or '" + UNLIMITED
                    + "' for no limit");
        }
        return CpuBandwidth.round(cpus);
    }

    /** {@code --weight}: 1..10000; {@code default} gives {@code null}, the default 100. */
    public Integer weight(String text) {
        String t = text.strip();
        if (t.equalsIgnoreCase(DEFAULT)) {
            return null;
        }
        int weight = integer(t, "--weight");
        if (weight < CpuWeight.MIN || weight > CpuWeight.MAX) {
            throw new IllegalArgumentException("--weight " + t + " is out of range: give " + CpuWeight.MIN + ".."
                    + CpuWeight.MAX + " (the default is " + CpuWeight.DEFAULT + "), or '" + DEFAULT + "'");
        }
        return weight;
    }

    /** {@code --pin}: a CPU list such as {@code 0-1,3} of online CPUs; {@code all} gives {@code null}. */
    public CpuList pin(String text) {
        String t = text.strip();
        if (t.equalsIgnoreCase(ALL)) {
            return null;
        }
        CpuList pin;
        try {
            pin = CpuList.parse(t);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("--pin: " + e.getMessage());
        }
        if (pin.isEmpty()) {
            throw new IllegalArgumentException("--pin needs at least one CPU, e.g. 0 or 0-1; '" + ALL
                    + "' removes the pin");
        }
        check(pin);
        return pin;
    }

    /** Refuses a pin naming CPUs that are not online, naming them. */
    public void check(CpuList pin) {
        CpuList missing = pin.minus(online);
        if (!missing.isEmpty()) {
            throw new IllegalArgumentException((missing.count() == 1 ? "CPU " : "CPUs ") + missing
                    + (missing.count() == 1 ? " does" : " do") + " not exist or " + (missing.count() == 1 ? "is" : "are")
                    + " offline; the online CPUs are " + online);
        }
    }

    /** Checks settings (e.g. stored ones after a restart on another machine) against this machine. */
    public CpuSettings check(CpuSettings settings) {
        if (settings.cpus() != null && settings.cpus() > online.count()) {
            throw new IllegalArgumentException("cpus " + CpuBandwidth.format(settings.cpus()) + " is more than the "
                    + online.count() + " CPUs online (" + online + ")");
        }
        if (settings.pin() != null) {
            check(settings.pin());
        }
        return settings;
    }

    /** Advice that is not an error: settings that are valid but do not do what they seem to. */
    public List<String> notes(CpuSettings settings) {
        List<String> notes = new ArrayList<>();
        if (settings.cpus() != null && settings.pin() != null && settings.cpus() > settings.pin().count()) {
            notes.add("--cpus " + CpuBandwidth.format(settings.cpus()) + " exceeds the " + settings.pin().count()
                    + " pinned CPU" + (settings.pin().count() == 1 ? "" : "s") + " (" + settings.pin()
                    + "): the domain can use at most " + settings.pin().count());
        }
        return notes;
    }

    /** A plain decimal number: digits with an optional fraction; no signs, exponents, NaN or infinity. */
    static double number(String text, String what) {
        String t = text.strip();
        if (!DECIMAL.matcher(t).matches()) {
            throw new IllegalArgumentException(what + " '" + t + "' is not a number of CPUs: give a decimal"
                    + " such as 0.5, 1 or 1.5");
        }
        return Double.parseDouble(t);
    }

    static int integer(String text, String what) {
        String t = text.strip();
        if (!INTEGER.matcher(t).matches()) {
            throw new IllegalArgumentException(what + " '" + t + "' is not a whole number");
        }
        return Integer.parseInt(t);
    }
}
