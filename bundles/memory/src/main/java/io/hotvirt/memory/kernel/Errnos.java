package io.hotvirt.memory.kernel;

import com.sun.jna.LastErrorException;

/** The errno behind an IOException from a cgroup write. */
public final class Errnos {

    private Errnos() {
    }

    /** The errno in the cause chain, or 0 if there is none. */
    public static int of(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof LastErrorException l) {
                return l.getErrorCode();
            }
        }
        return 0;
    }
}
