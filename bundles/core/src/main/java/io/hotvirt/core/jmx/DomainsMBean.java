package io.hotvirt.core.jmx;

import javax.management.openmbean.CompositeData;
import javax.management.openmbean.TabularData;

/**
 * The domains of this node as JMX shows them ({@code io.hotvirt:type=domains}), in open types only,
 * so jconsole, VisualVM or any JMX client reads them without hotvirt's classes. Read-only. A standard
 * MBean, not an MXBean: the MXBean mapping would take TabularData apart as if it were a bean.
 */
public interface DomainsMBean {

    /** The names of every domain, running or exited. */
    String[] getDomainNames();

    /** One row per domain, keyed by name, with the items of {@link #getDomain}. */
    TabularData getDomains();

    /**
     * One domain: name, state, exitStatus (null unless known), origin, rootPid, processes, cgroup,
     * command, created (ISO-8601), log (null unless launched) and capabilities (those holding it).
     *
     * @throws IllegalArgumentException if there is no such domain
     */
    CompositeData getDomain(String name);

    /** The capabilities holding the domain now, e.g. {@code cpu}, {@code memory}. */
    String[] getCapabilities(String name);
}
