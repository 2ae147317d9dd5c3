package io.hotvirt.api;

/**
 * One kind of virtualization, registered as an OSGi service (the whiteboard pattern). The monitor
 * calls {@link #virtualize} for every live domain when the service appears and for each domain made
 * later, and {@link #devirtualize} for every domain it holds when the service goes away. Neither
 * may stop or restart a process.
 */
public interface Capability {

    /** Short name, e.g. {@code cpu}; also the key of its settings in a domain. */
    String name();

    /** Takes hold of a running domain, applying the settings stored for it. Must be idempotent. */
    void virtualize(Domain domain) throws Exception;

    /** Lets go of a domain: removes everything {@link #virtualize} set. The processes keep running. */
    void devirtualize(Domain domain) throws Exception;
}
