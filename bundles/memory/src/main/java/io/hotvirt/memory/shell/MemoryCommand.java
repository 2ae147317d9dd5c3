package io.hotvirt.memory.shell;

import io.hotvirt.memory.MemoryControl;
import io.hotvirt.shell.RunningDomainCommand;
import org.apache.karaf.shell.api.action.lifecycle.Reference;

/** A memory command on one running domain: the shared domain-command base plus the memory control. */
abstract class MemoryCommand extends RunningDomainCommand {

    @Reference
    protected MemoryControl memory;

    MemoryCommand() {
        super("it has no memory to limit, map or reclaim");
    }
}
