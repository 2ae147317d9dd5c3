package io.hotvirt.shell.capability;

import java.util.Map;

/** A capability's settings for one domain: stored with the domain as a map, and described to people. */
public interface CapabilitySettings {

    /** The stored form, as the capability's parser reads it back. */
    Map<String, String> toMap();

    /** One line for people, e.g. {@code max 64 MiB, high unlimited, swap max unlimited}. */
    String describe();
}
