package io.hotvirt.cpu;

import java.util.BitSet;
import java.util.Objects;

/**
 * A set of CPU ids in the kernel's list format, e.g. {@code 0-3,6,8-9}: what cpuset.cpus and
 * /sys/devices/system/cpu/online hold. Immutable; {@link #toString()} gives the canonical form.
 */
public final class CpuList {

    /** Larger ids are refused while parsing: no kernel supports them (NR_CPUS is at most 8192). */
    public static final int MAX_CPU_ID = 8191;

    private static final CpuList EMPTY = new CpuList(new BitSet());

    private final BitSet cpus;

    private CpuList(BitSet cpus) {
        this.cpus = cpus;
    }

    public static CpuList empty() {
        return EMPTY;
    }

    public static CpuList of(int... ids) {
        BitSet set = new BitSet();
        for (int id : ids) {
            if (id < 0 || id > MAX_CPU_ID) {
                throw new IllegalArgumentException("CPU id " + id + " is out of range 0.." + MAX_CPU_ID);
            }
            set.set(id);
        }
        return new CpuList(set);
    }

    /**
     * Parses a list such as {@code 0-1,3}. Surrounding whitespace (the newline of a kernel file) is
     * ignored; blank text is the empty list.
     *
     * @throws IllegalArgumentException naming the part that does not parse
     */
    public static CpuList parse(String text) {
        Objects.requireNonNull(text, "text");
        String trimmed = text.strip();
        if (trimmed.isEmpty()) {
            return EMPTY;
        }
        BitSet set = new BitSet();
        for (String part : trimmed.split(",", -1)) {
            String item = part.strip();
            int dash = item.indexOf('-');
            if (dash < 0) {
                set.set(id(item, text));
            } else {
                int from = id(item.substring(0, dash), text);
                int to = id(item.substring(dash + 1), text);
                if (to < from) {
                    throw new IllegalArgumentException("CPU range '" + item + "' in '" + text.strip()
                            + "' runs backwards; write it low-high, e.g. " + to + "-" + from);
                }
                set.set(from, to + 1);
            }
        }
        return new CpuList(set);
    }

    private static int id(String s, String whole) {
        String t = s.strip();
        if (t.isEmpty() || t.length() > 5 || !t.chars().allMatch(c -> c >= '0' && c <= '9')) {
            throw new IllegalArgumentException("'" + whole.strip() + "' is not a CPU list: expected CPU ids and"
                    + " ranges separated by commas, e.g. 0-1,3");
        }
        int id = Integer.parseInt(t);
        if (id > MAX_CPU_ID) {
            throw new IllegalArgumentException("CPU id " + id + " in '" + whole.strip() + "' is out of range 0.."
                    + MAX_CPU_ID);
        }
        return id;
    }

    public int count() {
        return cpus.cardinality();
    }

    public boolean isEmpty() {
        return cpus.isEmpty();
    }

    public boolean contains(int id) {
        return id >= 0 && cpus.get(id);
    }

    public boolean containsAll(CpuList other) {
        return other.minus(this).isEmpty();
    }

    /** The CPUs of this list that are not in {@code other}. */
    public CpuList minus(CpuList other) {
        BitSet set = (BitSet) cpus.clone();
        set.andNot(other.cpus);
        return new CpuList(set);
    }

    public int[] ids() {
        return cpus.stream().toArray();
    }

    /** Canonical kernel form, e.g. {@code 0-2,5}; the empty list is the empty string. */
    @Override
    public String toString() {
        StringBuilder out = new StringBuilder();
        int from = cpus.nextSetBit(0);
        while (from >= 0) {
            int to = cpus.nextClearBit(from) - 1;
            if (out.length() > 0) {
                out.append(',');
            }
            out.append(from);
            if (to > from) {
                out.append('-').append(to);
            }
            from = cpus.nextSetBit(to + 1);
        }
        return out.toString();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof CpuList other && cpus.equals(other.cpus);
    }

    @Override
    public int hashCode() {
        return cpus.hashCode();
    }
}
