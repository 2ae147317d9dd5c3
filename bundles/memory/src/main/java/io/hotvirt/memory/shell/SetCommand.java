package io.hotvirt.memory.shell;

import io.hotvirt.api.Domain;
import io.hotvirt.memory.MemoryCapability;
import io.hotvirt.memory.MemoryInput;
import io.hotvirt.memory.MemorySettings;
import org.apache.karaf.shell.api.action.Command;
import org.apache.karaf.shell.api.action.Option;
import org.apache.karaf.shell.api.action.lifecycle.Service;

import java.util.List;

@Command(scope = "memory", name = "set", description = "Sets a running domain's memory limits: hard, high (soft) and"
        + " swap, at once.",
        detailedDescription = "Applies to the running processes at once and is stored with the domain, so it is applied"
                + " again after a restart and whenever the memory bundle starts. Options not given keep their current"
                + " value; 'max' (or 'none') removes a limit, --reset removes all three. Sizes are binary: 64M, 1.5G,"
                + " 512KiB, or bytes.\n"
                + "A limit below what the domain uses now is refused unless --force is given, with what would happen:"
                + " above --max the kernel reclaims (drops page cache, swaps anonymous memory out) and OOM-kills"
                + " processes of the domain for what it cannot reclaim; above --high it throttles and reclaims but does"
                + " not kill. On cgroup v1, --high is the soft limit (reclaimed first when the host runs short) and"
                + " --swap-max needs --max (v1 limits memory and swap together).\n"
                + "Stopping the io.hotvirt.memory bundle lifts every limit while keeping the settings; starting it"
                + " applies them again.\n"
                + "Examples: memory:set w1 --max 64M    memory:set w1 --high 48M --swap-max 1G    memory:set w1 --reset")
@Service
public class SetCommand extends MemoryCommand {

    @Option(name = "--max", description = "Hard limit, e.g. 64M or 1.5G (v2 memory.max, v1 memory.limit_in_bytes);"
            + " 'max' removes it")
    private String max;

    @Option(name = "--high", description = "High (soft) limit: above it the domain is throttled and reclaimed (v2"
            + " memory.high, v1 memory.soft_limit_in_bytes); 'max' removes it")
    private String high;

    @Option(name = "--swap-max", description = "Swap the domain may use, e.g. 256M; 0 forbids swap (v2 memory.swap.max,"
            + " v1 memory.memsw.limit_in_bytes = max + this); 'max' removes it")
    private String swapMax;

    @Option(name = "--reset", description = "Removes every memory limit")
    private boolean reset;

    @Option(name = "--force", description = "Sets a limit even if it is below what the domain uses now (reclaim, swap"
            + " or OOM kills follow)")
    private boolean force;

    @Override
    protected Object act() throws Exception {
        if (reset && (max != null || high != null || swapMax != null)) {
            throw new IllegalArgumentException("--reset removes every limit; give it alone, or give only the options"
                    + " to change");
        }
        if (!reset && max == null && high == null && swapMax == null) {
            throw new IllegalArgumentException("nothing to set: give --max, --high, --swap-max or --reset"
                    + " (memory:show " + name + " shows the current limits)");
        }
        Domain domain = runningDomain();
        MemoryInput input = new MemoryInput(memory.host());
        // Parse every option before changing anything: one bad value changes nothing.
        MemorySettings next = reset ? MemorySettings.NONE : current(domain);
        if (max != null) {
            next = next.withMax(input.max(max));
        }
        if (high != null) {
            next = next.withHigh(input.high(high));
        }
        if (swapMax != null) {
            next = next.withSwapMax(input.swapMax(swapMax));
        }
        List<String> warnings = memory.configure(domain, next, force);
        System.out.println(name + ": " + next.describe());
        for (String warning : warnings) {
            System.out.println("Warning (forced): " + warning);
        }
        for (String note : input.notes(next)) {
            System.out.println("Note: " + note);
        }
        boolean held = domains.find(name).map(d -> d.capabilities().contains(MemoryCapability.NAME)).orElse(false);
        if (!held && !next.isUnlimited()) {
            System.out.println("Note: the memory capability does not hold " + name + " (see the log): stopping the"
                    + " memory bundle will not lift these limits; memory:set " + name + " --reset does");
        }
        return null;
    }

    private MemorySettings current(Domain domain) {
        try {
            return memory.settings(domain);
        } catch (IllegalArgumentException unreadable) {
            return MemorySettings.NONE; // settings that do not parse are replaced
        }
    }
}
