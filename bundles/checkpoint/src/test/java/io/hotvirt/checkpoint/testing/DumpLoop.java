package io.hotvirt.checkpoint.testing;

import io.hotvirt.checkpoint.DomainCheckpointer;
import io.hotvirt.checkpoint.freeze.DomainFreezer;
import io.hotvirt.checkpoint.image.NodeKeyStore;
import io.hotvirt.checkpoint.signals.SignalDumper;
import io.hotvirt.linux.cgroup.Cgroups;
import io.hotvirt.linux.cgroup.DomainCgroup;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.Stream;

/**
 * A tracer process to be killed: checkpoints a domain with --leave-running again and again, each
 * image removed after it is made, until someone kills this JVM. Prints READY just before the first
 * dump and one "DUMPED millis" line after each. Run by TracerDeathKernelTest in a JVM of its own.
 * With {@code --stop-and-inject} it does only the parts of a dump that stop threads and change
 * them: freeze, seize, inject (the signal dump's syscalls into every process), release — where a
 * death is most likely to hurt, without the long stretch of reading memory in between.
 * usage: DumpLoop CGROUP_PATH WORK_DIR [--stop-and-inject]
 */
public final class DumpLoop {

    /** The husk command's program, as restore tests use it (its real path: the husk's exe must match). */
    public static final String SLEEP = Files.exists(Path.of("/usr/bin/sleep")) ? "/usr/bin/sleep" : "/bin/sleep";

    private DumpLoop() {
    }

    public static void main(String[] args) throws IOException {
        DomainCgroup cgroup = Cgroups.detect().open(args[0])
                .orElseThrow(() -> new IOException("no cgroup " + args[0]));
        Path work = Path.of(args[1]);
        DomainCheckpointer checkpointer = new DomainCheckpointer(new NodeKeyStore(work.resolve("keys")), "death-test");
        Path images = work.resolve("images");
        boolean stopAndInject = args.length > 2 && args[2].equals("--stop-and-inject");
        System.out.println("READY");
        for (int n = 0; ; n++) {
            if (stopAndInject) {
                long start = System.nanoTime();
                try (DomainFreezer frozen = DomainFreezer.freeze(cgroup)) {
                    for (var p : frozen.threads().entrySet()) {
                        SignalDumper.dump(frozen.tracer(), frozen.injector(p.getKey()), p.getKey(), p.getValue());
                    }
                }
                System.out.println("DUMPED " + (System.nanoTime() - start) / 1_000_000);
                continue;
            }
            long start = System.nanoTime();
            checkpointer.checkpoint("busy", cgroup, images, "img" + n, new DomainCheckpointer.Options(true, null), null);
            System.out.println("DUMPED " + (System.nanoTime() - start) / 1_000_000);
            try (Stream<Path> s = Files.walk(images.resolve("img" + n))) {
                for (Path p : s.sorted(Comparator.reverseOrder()).toList()) {
                    Files.delete(p);
                }
            }
        }
    }
}
