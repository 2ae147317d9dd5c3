package io.hotvirt.checkpoint;

import io.hotvirt.checkpoint.image.DumpStats;
import io.hotvirt.checkpoint.image.ImageFile;
import io.hotvirt.checkpoint.image.ImageFormat;
import io.hotvirt.checkpoint.image.ImageWriter;
import io.hotvirt.checkpoint.image.NodeKeyStore;
import io.hotvirt.checkpoint.image.PageIndexWriter;
import io.hotvirt.checkpoint.image.ProcessMetadata;
import io.hotvirt.checkpoint.memory.MemoryDumper;
import io.hotvirt.checkpoint.memory.SharedMemoryDumper;
import io.hotvirt.checkpoint.memory.SwapAreas;
import io.hotvirt.linux.proc.Procfs;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

/**
 * The memory half of a checkpoint of one process: stop it, save its areas and pages, resume it
 * whatever happens, and commit the image — or remove it on any error. The domain-wide checkpoint
 * (tree, threads, registers, files) builds on this.
 */
public final class ProcessCheckpoint {

    /** How the caller stops and resumes the process (freezer cgroup, SIGSTOP, ptrace). */
    public interface Stopper {
        void stop() throws IOException;

        void resume() throws IOException;
    }

    /** The image made and what the dump saw. */
    public record Outcome(Path image, DumpStats stats, List<String> swapFallbackReasons, String swapCanary) {
    }

    private ProcessCheckpoint() {
    }

    public static Outcome dump(int pid, Path parent, String name, NodeKeyStore keys, String node, Stopper stopper)
            throws IOException {
        long t0 = System.nanoTime();
        try (ImageWriter writer = ImageWriter.create(parent, name, keys, node);
             SwapAreas swap = SwapAreas.current();
             SharedMemoryDumper shm = new SharedMemoryDumper(writer)) {
            List<ProcessMetadata.Area> areas;
            DumpStats stats;
            List<String> reasons;
            long frozenNanos;
            try (ImageFile pages = writer.file(ImageFormat.pagesFile(pid));
                 ImageFile indexFile = writer.file(ImageFormat.pageIndexFile(pid));
                 PageIndexWriter index = new PageIndexWriter(indexFile);
                 MemoryDumper dumper = new MemoryDumper(pid, pages, index, swap)) {
                swap.verifyTypes(); // before the stop: the canary may take a few hundred ms
                long s = System.nanoTime();
                stopper.stop();
                try {
                    areas = dumper.dump();
                    shm.save(pid, areas); // still stopped: once resumed the process may change it
                } finally {
                    stopper.resume();
                    frozenNanos = System.nanoTime() - s;
                }
                stats = dumper.stats();
                reasons = dumper.fallbackReasons();
            }
            String comm = Procfs.status(pid).map(st -> st.name()).orElse("");
            String exe = Procfs.exe(pid).orElse("");
            writer.json(ImageFormat.processFile(pid), new ProcessMetadata(pid, comm, exe, areas));
            writer.json(ImageFormat.SHARED_MEMORY, shm.record());
            stats = stats.withTimes(frozenNanos / 1_000_000, (System.nanoTime() - t0) / 1_000_000);
            Path image = writer.commit(List.of(pid), stats);
            return new Outcome(image, stats, reasons, swap.canaryResult());
        }
    }
}
