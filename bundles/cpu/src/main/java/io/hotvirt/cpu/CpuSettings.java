package io.hotvirt.cpu;

import io.hotvirt.shell.capability.CapabilitySettings;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * What the cpu capability holds a domain to. Each part is optional: {@code null} means the kernel's
 * unlimited default (no bandwidth limit, weight 100, every CPU the parent cgroup allows).
 *
 * @param cpus   CPU time per period as a number of CPUs (0.2 is a fifth of one CPU), or {@code null}
 * @param weight relative share when CPUs are contended, 1..10000, or {@code null} for 100
 * @param pin    the CPUs the domain may run on, or {@code null} for all
 */
public record CpuSettings(Double cpus, Integer weight, CpuList pin) implements CapabilitySettings {

    /** The keys in {@code Domain.settings("cpu")}. */
    public static final String CPUS = "cpus";
    public static final String WEIGHT = "weight";
    public static final String PIN = "pin";

    /** No limit of any kind: what devirtualize restores. */
    public static final CpuSettings NONE = new CpuSettings(null, null, null);

    public CpuSettings {
        if (cpus != null) {
            CpuBandwidth.quotaMicros(cpus); // rejects NaN, infinite, zero and negative counts
        }
        if (weight != null) {
            CpuWeight.check(weight);
        }
        if (pin != null && pin.isEmpty()) {
            throw new IllegalArgumentException("a CPU pin needs at least one CPU");
        }
    }

    public boolean isUnlimited() {
        return cpus == null && weight == null && pin == null;
    }

    /** The weight in effect: the one set, or the default 100. */
    public int effectiveWeight() {
        return weight == null ? CpuWeight.DEFAULT : weight;
    }

    public CpuSettings withCpus(Double value) {
        return new CpuSettings(value, weight, pin);
    }

    public CpuSettings withWeight(Integer value) {
        return new CpuSettings(cpus, value, pin);
    }

    public CpuSettings withPin(CpuList value) {
        return new CpuSettings(cpus, weight, value);
    }

    /** The form stored with the domain; parts at their default are left out. */
    @Override
    public Map<String, String> toMap() {
        Map<String, String> map = new LinkedHashMap<>();
        if (cpus != null) {
            map.put(CPUS, CpuBandwidth.format(cpus));
        }
        if (weight != null) {
            map.put(WEIGHT, weight.toString());
        }
        if (pin != null) {
            map.put(PIN, pin.toString());
        }
        return map;
    }

    /**
     * Reads settings stored with a domain. Unknown keys are ignored (a later version may add some).
     *
     * @throws IllegalArgumentException when a stored value does not parse
     */
    public static CpuSettings fromMap(Map<String, String> map) {
        Double cpus = null;
        Integer weight = null;
        CpuList pin = null;
        String c = map.get(CPUS);
        if (c != null && !c.isBlank()) {
            cpus = CpuInput.number(c, "stored cpus");
        }
        String w = map.get(WEIGHT);
        if (w != null && !w.isBlank()) {
            weight = CpuInput.integer(w, "stored weight");
        }
        String p = map.get(PIN);
        if (p != null && !p.isBlank()) {
            pin = CpuList.parse(p);
        }
        return new CpuSettings(cpus, weight, pin);
    }

    /** One line for people: {@code cpus 0.2, weight 100, pin all}. */
    @Override
    public String describe() {
        return "cpus " + (cpus == null ? "unlimited" : CpuBandwidth.format(cpus))
                + ", weight " + effectiveWeight()
                + ", pin " + (pin == null ? "all" : pin.toString());
    }
}
