package io.hotvirt.cpu.shell;

import io.hotvirt.cpu.CpuControl;
import io.hotvirt.shell.RunningDomainCommand;
import org.apache.karaf.shell.api.action.lifecycle.Reference;

/** A cpu command on one running domain: the shared domain-command base plus the CPU control. */
abstract class CpuCommand extends RunningDomainCommand {

    @Reference
    protected CpuControl cpu;

    CpuCommand() {
        super("it has no CPU use to set or show");
    }
}
