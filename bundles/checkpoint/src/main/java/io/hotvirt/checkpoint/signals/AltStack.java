package io.hotvirt.checkpoint.signals;

/**
 * A thread's alternate signal stack (stack_t from sigaltstack).
 *
 * @param flags SS_ONSTACK (1), SS_DISABLE (2), SS_AUTODISARM (1 << 31)
 */
public record AltStack(long sp, int flags, long size) {

    public static final int SS_ONSTACK = 1;
    public static final int SS_DISABLE = 2;

    public boolean disabled() {
        return (flags & SS_DISABLE) != 0;
    }
}
