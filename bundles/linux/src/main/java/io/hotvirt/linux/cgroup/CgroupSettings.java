package io.hotvirt.linux.cgroup;

import java.io.IOException;
import java.util.function.Function;

/**
 * One capability's settings (cpu, memory …) written to domains' cgroups all or nothing. A change
 * writes several interface files and the kernel may refuse one part-way (EBUSY, EINVAL …): the
 * previous settings are then written back, so that no cgroup is left half changed. Writes through
 * one instance are serialized; callers hold no lock of theirs while calling.
 *
 * @param <S> the capability's settings
 */
public final class CgroupSettings<S> {

    /** Puts a cgroup in exactly the state the settings describe (a controller strategy's apply). */
    @FunctionalInterface
    public interface Writer<S> {
        void write(CgroupFiles files, S settings) throws IOException;
    }

    private final Writer<S> writer;
    private final S none;
    private final Function<S, String> describe;

    /**
     * @param none the settings that lift every limit
     * @param describe the settings as the messages name them
     */
    public CgroupSettings(Writer<S> writer, S none, Function<S, String> describe) {
        this.writer = writer;
        this.none = none;
        this.describe = describe;
    }

    /**
     * Writes {@code settings}; if that fails, writes {@code previous} back and rethrows the failure,
     * with a failure to put them back added as suppressed.
     */
    public synchronized void apply(CgroupFiles files, S settings, S previous) throws IOException {
        try {
            writer.write(files, settings);
        } catch (IOException | RuntimeException e) {
            restore(files, previous, e);
            throw e;
        }
    }

    /**
     * Writes {@code previous} back after {@code failure} (e.g. the new settings could not be
     * saved); a failure to do so is added to {@code failure} as suppressed.
     */
    public synchronized void restore(CgroupFiles files, S previous, Exception failure) {
        try {
            writer.write(files, previous);
        } catch (IOException | RuntimeException e) {
            failure.addSuppressed(new IOException("cannot put cgroup " + files.path() + " back to "
                    + describe.apply(previous) + ": " + e.getMessage(), e));
        }
    }

    /** Lifts every limit; there is nothing to go back to. */
    public synchronized void reset(CgroupFiles files) throws IOException {
        writer.write(files, none);
    }
}
