package io.hotvirt.checkpoint.signals;

/**
 * The disposition of one signal: the kernel's struct sigaction as rt_sigaction returns it.
 *
 * @param handler  the handler address, or 0 (SIG_DFL) or 1 (SIG_IGN)
 * @param flags    SA_* flags
 * @param restorer the sa_restorer trampoline (SA_RESTORER)
 * @param mask     signals blocked while the handler runs (bit n-1 for signal n)
 */
public record SignalAction(int signal, long handler, long flags, long restorer, long mask) {

    public static final long SIG_DFL = 0;
    public static final long SIG_IGN = 1;
    public static final long SA_SIGINFO = 0x4;
    public static final long SA_ONSTACK = 0x08000000;
    public static final long SA_RESTART = 0x10000000;
    public static final long SA_RESTORER = 0x04000000;

    public boolean isDefault() {
        return handler == SIG_DFL;
    }

    public boolean isIgnored() {
        return handler == SIG_IGN;
    }
}
