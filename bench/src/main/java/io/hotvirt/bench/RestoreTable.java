package io.hotvirt.bench;

import io.hotvirt.checkpoint.image.DumpStats;

import java.util.List;

/** The restore benchmark's table: one row a size, all times in milliseconds. */
final class RestoreTable {

    private RestoreTable() {
    }

    static void print(List<RestoreBench.Row> rows, boolean cold) {
        String restoreHead = "   total  running  1st pass";
        System.out.println();
        System.out.println("         | dump (checkpoint)      | zero-copy restore          | copy restore               "
                + (cold ? "| zero-copy, cold cache      " : "") + "| memcpy          | running / memcpy");
        System.out.println("size     | frozen   total  MiB/s  |" + restoreHead + " |" + restoreHead + " |"
                + (cold ? restoreHead + " |" : "") + "   warm    fresh | zero-copy   copy");
        System.out.println("---------|------------------------|----------------------------|----------------------------|"
                + (cold ? "----------------------------|" : "") + "-----------------|-----------------");
        for (RestoreBench.Row r : rows) {
            String size = String.format("%-8s", r.mib() + " MiB");
            if (r.skipped() != null) {
                System.out.println(size + " | skipped: " + r.skipped());
                continue;
            }
            DumpStats s = r.dump();
            double memcpy = r.memcpy().bestNanos() / 1e6;
            StringBuilder line = new StringBuilder(String.format("%s | %6d %7d %6.0f  |%s |%s |", size,
                    s.frozenMillis(), s.totalMillis(), (s.bytes() / (double) Bench.MIB) / (s.totalMillis() / 1000.0),
                    restore(r.zeroCopy()), restore(r.copy())));
            if (cold) {
                line.append(restore(r.cold())).append(" |");
            }
            line.append(String.format(" %6.1f %8.1f | %9.1f %6.1f", memcpy, r.memcpy().freshNanos() / 1e6,
                    r.zeroCopy().runningMillis() / memcpy, r.copy().runningMillis() / memcpy));
            System.out.println(line);
        }
        System.out.println();
        System.out.println("ms throughout; dump MiB/s = page data written / dump total. restore total = DomainRestorer.restore"
                + " (verify image, husk, tree, memory, resume); running = restore start until the workload answers"
                + " SIGUSR2 (ALIVE, no memory touched); 1st pass = SIGUSR1 until PASS (reads all its memory);"
                + " memcpy warm = best of 3 into touched pages, fresh = once into untouched pages.");
    }

    private static String restore(RestoreBench.Restore r) {
        return String.format(" %7.0f %8.0f %9.0f", r.totalNanos() / 1e6, r.runningMillis(), r.passMillis());
    }
}
