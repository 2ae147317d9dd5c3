package io.hotvirt.shell;

import io.hotvirt.api.DomainInfo;
import io.hotvirt.api.DomainService;
import org.apache.karaf.shell.api.action.Action;
import org.apache.karaf.shell.api.action.Argument;
import org.apache.karaf.shell.api.action.Completion;
import org.apache.karaf.shell.api.action.lifecycle.Reference;

import java.util.List;

/**
 * What every command acting on one domain by name shares: the {@link DomainService}, the options a
 * person writes after the name ({@code cpu:set w1 --cpus 0.5}, see {@link TrailingOptions}), and the
 * usual error for a name hotvirt does not know. A command extends {@link AnyDomainCommand} or
 * {@link RunningDomainCommand}, which declare the name argument with its completer, and does its work
 * in {@link #act()}; its {@code @Option} fields are set from either side of the name.
 * <p>
 * Karaf injects {@code @Reference}, {@code @Option} and {@code @Argument} fields of superclasses too
 * (its extender, preparator and completer walk the class hierarchy), so these fields need no twin in
 * the command classes.
 */
public abstract class DomainCommand implements Action {

    @Reference
    protected DomainService domains;

    @Argument(index = 1, name = "options", multiValued = true, description = "The options may also follow the"
            + " name, e.g. cpu:set w1 --cpus 0.5")
    @Completion(TrailingOptionCompleter.class)
    private List<String> trailing;

    /** The domain name the command was given. */
    protected abstract String name();

    /** The command's work, once the options written after the name are in their fields. */
    protected abstract Object act() throws Exception;

    @Override
    public final Object execute() throws Exception {
        TrailingOptions.apply(this, trailing);
        return act();
    }

    /** The domain, running or exited; an unknown name is an error that says where the names are. */
    protected DomainInfo info() {
        return domains.find(name()).orElseThrow(() -> RunningDomains.unknown(name()));
    }
}
