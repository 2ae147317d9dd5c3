package io.hotvirt.checkpoint.testing;

import io.hotvirt.checkpoint.image.NodeKeyStore;
import io.hotvirt.checkpoint.restore.DomainRestorer;
import io.hotvirt.checkpoint.restore.MemoryRestorer;
import io.hotvirt.linux.cgroup.Cgroups;
import io.hotvirt.linux.cgroup.DomainCgroup;
import io.hotvirt.linux.proc.Procfs;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/**
 * A restoring process to be killed: restores one image into a cgroup, prints READY just before
 * and "RESTORED millis" after, then waits to be killed. Run by TracerDeathKernelTest in a JVM of
 * its own. usage: RestoreLoop IMAGE KEY_DIR CGROUP_PATH
 */
public final class RestoreLoop {

    private RestoreLoop() {
    }

    public static void main(String[] args) throws Exception {
        Path image = Path.of(args[0]);
        DomainCgroup cgroup = Cgroups.detect().open(args[2]).orElseThrow(() -> new IOException("no cgroup " + args[2]));
        DomainRestorer restorer = new DomainRestorer(new NodeKeyStore(Path.of(args[1])),
                List.of(DumpLoop.SLEEP, "infinity"));
        System.out.println("READY");
        long start = System.nanoTime();
        restorer.restore(image, new DomainRestorer.Options(false, MemoryRestorer.Mode.COPY), root -> {
            cgroup.add(root);
            for (int pid : Procfs.descendants(root)) {
                cgroup.add(pid);
            }
            return Optional.of(cgroup);
        }, null);
        System.out.println("RESTORED " + (System.nanoTime() - start) / 1_000_000);
        Thread.sleep(Long.MAX_VALUE);
    }
}
