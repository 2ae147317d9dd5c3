package io.hotvirt.api;

/** How a domain came under management. */
public enum DomainOrigin {
    /** Started by hotvirt from a command. */
    LAUNCHED,
    /** An already running process tree taken under management. */
    ADOPTED,
    /** A process tree brought back from a checkpoint image, with the capability settings saved in it. */
    RESTORED
}
