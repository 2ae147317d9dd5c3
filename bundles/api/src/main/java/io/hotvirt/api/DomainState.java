package io.hotvirt.api;

/** Whether a domain still has processes. */
public enum DomainState {
    /** At least one process of the domain is alive. */
    RUNNING,
    /** Every process of the domain has ended; the record stays until it is removed. */
    EXITED
}
