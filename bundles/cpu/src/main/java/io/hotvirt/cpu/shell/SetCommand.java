package io.hotvirt.cpu.shell;

import io.hotvirt.api.Domain;
import io.hotvirt.cpu.CpuCapability;
import io.hotvirt.cpu.CpuInput;
import io.hotvirt.cpu.CpuSettings;
import org.apache.karaf.shell.api.action.Command;
import org.apache.karaf.shell.api.action.Option;
import org.apache.karaf.shell.api.action.lifecycle.Service;

@Command(scope = "cpu", name = "set", description = "Sets a running domain's CPU limit, weight and pinning, at once.",
        detailedDescription = "Applies to the running processes at once and is stored with the domain, so it is"
                + " applied again after a restart and whenever the cpu bundle starts. Options not given keep their"
                + " current value. To remove a setting: --cpus max (no limit), --weight default (100),"
                + " --pin all (every CPU), or --reset for all three. Stopping the io.hotvirt.cpu bundle lifts every"
                + " limit while keeping the settings; starting it applies them again.\n"
                + "Examples: cpu:set w1 --cpus 0.5    cpu:set w1 --weight 200 --pin 0-1    cpu:set w1 --reset")
@Service
public class SetCommand extends CpuCommand {

    @Option(name = "--cpus", description = "CPU time as a number of CPUs per 100 ms period, e.g. 0.2 or 1.5;"
            + " from 0.01 up to the number of online CPUs. 'max' lifts the limit")
    private String cpus;

    @Option(name = "--weight", description = "Relative share of contended CPUs, 1..10000 (default 100; 200 gets"
            + " twice the time of 100). 'default' restores 100")
    private String weight;

    @Option(name = "--pin", description = "The CPUs the domain may run on, as a list such as 0-1,3 of online CPUs."
            + " 'all' removes the pin")
    private String pin;

    @Option(name = "--reset", description = "Removes every CPU setting: no limit, weight 100, every CPU")
    private boolean reset;

    @Override
    protected Object act() throws Exception {
        if (reset && (cpus != null || weight != null || pin != null)) {
            throw new IllegalArgumentException("--reset removes every setting; give it alone, or give only the"
                    + " options to change");
        }
        if (!reset && cpus == null && weight == null && pin == null) {
            throw new IllegalArgumentException("nothing to set: give --cpus, --weight, --pin or --reset"
                    + " (cpu:show " + name + " shows the current settings)");
        }
        Domain domain = runningDomain();
        CpuInput input = new CpuInput(cpu.onlineCpus());
        // Parse every option before changing anything: one bad value changes nothing.
        CpuSettings next = reset ? CpuSettings.NONE : current(domain);
        if (cpus != null) {
            next = next.withCpus(input.cpus(cpus));
        }
        if (weight != null) {
            next = next.withWeight(input.weight(weight));
        }
        if (pin != null) {
            next = next.withPin(input.pin(pin));
        }
        cpu.configure(domain, next);
        System.out.println(name + ": " + next.describe());
        for (String note : input.notes(next)) {
            System.out.println("Note: " + note);
        }
        boolean held = domains.find(name).map(d -> d.capabilities().contains(CpuCapability.NAME)).orElse(false);
        if (!held && !next.isUnlimited()) {
            System.out.println("Note: the cpu capability does not hold " + name + " (see the log): stopping the"
                    + " cpu bundle will not lift this limit; cpu:set " + name + " --reset does");
        }
        return null;
    }

    private CpuSettings current(Domain domain) {
        try {
            return cpu.settings(domain);
        } catch (IllegalArgumentException unreadable) {
            return CpuSettings.NONE; // settings that do not parse are replaced
        }
    }
}
