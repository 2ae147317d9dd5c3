package io.hotvirt.checkpoint.restore;

import io.hotvirt.checkpoint.DomainCheckpointer;
import io.hotvirt.checkpoint.ImageCatalog;
import io.hotvirt.checkpoint.image.ImageFormat;
import io.hotvirt.checkpoint.image.NodeKeyStore;
import io.hotvirt.checkpoint.image.ProcessMetadata;
import io.hotvirt.checkpoint.memory.SharedMemoryDumper;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * What an image asks restore to make, read once: its processes ordered parents first (so a parent
 * always exists before its children are cloned from it), its files and shared memory objects.
 */
record RestorePlan(Path image, String domain, List<ProcessMetadata> processes, DomainCheckpointer.FilesRecord files,
                   SharedMemoryDumper.Record shm) {

    static RestorePlan read(Path image, NodeKeyStore keys) throws IOException {
        ImageCatalog.Content c = new ImageCatalog(image.getParent(), keys).read(image);
        for (ProcessMetadata p : c.processes()) {
            if (p.tree() == null || p.threads().isEmpty() || p.signals() == null) {
                throw new IOException("image " + image + " holds only the memory of process " + p.pid()
                        + ", not a whole process: it cannot be restored");
            }
            if (p.tree().privileges() != null && p.tree().privileges().seccomp() != 0) {
                throw new IOException("process " + p.pid() + " (" + p.comm() + ") of image " + image + " ran under"
                        + " seccomp (mode " + p.tree().privileges().seccomp() + "): restore cannot recreate its"
                        + " filter yet, and will not bring it back unconfined");
            }
        }
        Path shm = image.resolve(ImageFormat.SHARED_MEMORY);
        return new RestorePlan(image, c.domain() == null ? image.getFileName().toString() : c.domain().domain(),
                parentsFirst(c.processes()), c.files(),
                Files.exists(shm) ? ImageCatalog.json(image, ImageFormat.SHARED_MEMORY, SharedMemoryDumper.Record.class) : null);
    }

    static List<ProcessMetadata> parentsFirst(List<ProcessMetadata> processes) {
        Set<Integer> all = new HashSet<>();
        processes.forEach(p -> all.add(p.pid()));
        List<ProcessMetadata> out = new ArrayList<>();
        Set<Integer> placed = new HashSet<>();
        while (out.size() < processes.size()) {
            int before = out.size();
            for (ProcessMetadata p : processes) {
                int ppid = p.tree().ppid();
                if (!placed.contains(p.pid()) && (!all.contains(ppid) || placed.contains(ppid))) {
                    out.add(p);
                    placed.add(p.pid());
                }
            }
            if (out.size() == before) {
                throw new IllegalStateException("the image's process tree has a cycle");
            }
        }
        return out;
    }

    List<Integer> pids() {
        return processes.stream().map(ProcessMetadata::pid).toList();
    }

    int threadCount() {
        return processes.stream().mapToInt(p -> p.tree().threads().size()).sum();
    }

    /** The processes of the image whose parent is not in it: they hang from the husk (or the namespace's init). */
    boolean isTop(ProcessMetadata p) {
        return processes.stream().noneMatch(q -> q.pid() == p.tree().ppid());
    }
}
