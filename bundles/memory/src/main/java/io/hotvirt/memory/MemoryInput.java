package io.hotvirt.memory;

import java.util.ArrayList;
import java.util.List;

/**
 * Parses and checks the sizes a person gives {@code memory:set}. Each method returns a valid value
 * ({@code null} for "no limit") or throws {@link IllegalArgumentException} saying what is wrong and
 * what would be right; nothing changes until every option is valid.
 */
public final class MemoryInput {

    /** The smallest limit taken: one page. Below it the kernel's limit is zero pages. */
    public static final long MIN_LIMIT = 4096;

    private final HostMemory host;

    public MemoryInput(HostMemory host) {
        this.host = host;
    }

    /** {@code --max}: a size of at least one page, or max/none for no limit. */
    public Long max(String text) {
        return limit(text, "--max");
    }

    /** {@code --high}: a size of at least one page, or max/none for no limit. */
    public Long high(String text) {
        return limit(text, "--high");
    }

    /** {@code --swap-max}: a size, 0 to forbid swap, or max/none for no limit. */
    public Long swapMax(String text) {
        if (Sizes.isUnlimited(text)) {
            return null;
        }
        return Sizes.parse(text, "--swap-max");
    }

    private static Long limit(String text, String option) {
        if (Sizes.isUnlimited(text)) {
            return null;
        }
        long bytes = Sizes.parse(text, option);
        if (bytes == 0) {
            throw new IllegalArgumentException(option + " 0 would leave the domain no memory at all: give a size"
                    + " such as 64M, or 'max' to remove the limit");
        }
        if (bytes < MIN_LIMIT) {
            throw new IllegalArgumentException(option + " " + text.strip() + " is smaller than one page ("
                    + Sizes.format(MIN_LIMIT) + "): give a size such as 64M, or 'max' to remove the limit");
        }
        return bytes;
    }

    /** Advice that is not an error: settings that are valid but do not do what they seem to. */
    public List<String> notes(MemorySettings s) {
        List<String> notes = new ArrayList<>();
        if (s.max() != null && host.memTotal() > 0 && s.max() > host.memTotal()) {
            notes.add("--max " + Sizes.format(s.max()) + " is more than the host's " + Sizes.format(host.memTotal())
                    + " of RAM: the domain will meet the host's limits first");
        }
        if (s.high() != null && s.max() != null && s.high() >= s.max()) {
            notes.add("--high " + Sizes.format(s.high()) + " is not below --max " + Sizes.format(s.max())
                    + ": the hard limit is reached first, so the high limit does nothing");
        }
        if (s.swapMax() != null && s.swapMax() > 0 && host.swapTotal() == 0) {
            notes.add("no swap is enabled on this host: --swap-max has no effect until there is some (swapon)");
        }
        if (s.max() != null && s.swapMax() == null && host.swapTotal() == 0) {
            notes.add("no swap is enabled on this host: above --max, anonymous memory cannot be swapped out, and"
                    + " the kernel OOM-kills processes of the domain instead");
        }
        return notes;
    }
}
