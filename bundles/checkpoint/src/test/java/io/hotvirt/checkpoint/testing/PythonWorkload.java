package io.hotvirt.checkpoint.testing;

import org.junit.Assume;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

import static org.junit.Assert.assertTrue;

/**
 * The python3 workload: a 4 MiB bytearray with a pattern, a file at an offset, a pipe with bytes in
 * it, an anonymous shared mmap, a forked child. On SIGUSR1 each process checks what it holds and
 * prints "PASS role" or "FAIL role what".
 */
public final class PythonWorkload {

    private PythonWorkload() {
    }

    public static final String SCRIPT = """
            import ctypes, mmap, os, signal, sys
            N = 4 << 20
            PAT = bytes((i * 131 + 7) & 0xff for i in range(4096))
            buf = bytearray(PAT * (N // 4096))
            SHMPAT = bytes((i * 17 + 3) & 0xff for i in range(4096))
            shm = mmap.mmap(-1, 1 << 20)  # MAP_SHARED | MAP_ANONYMOUS: shared with the child after fork
            shm.write(SHMPAT * 256)
            TEXT = b'hello from python\\n'
            f = open(sys.argv[1], 'w+b')
            f.write(TEXT)
            f.flush()
            r, w = os.pipe()
            os.write(w, b'in flight')
            print('BUF %x %d' % (ctypes.addressof((ctypes.c_char * N).from_buffer(buf)), N))
            print('SHM %x %d' % (ctypes.addressof(ctypes.c_char.from_buffer(shm)), len(shm)))
            check = False
            def on_usr1(signum, frame):
                global check
                check = True
            signal.signal(signal.SIGUSR1, on_usr1)
            child = os.fork()
            role = 'child' if child == 0 else 'parent'
            print('READY %s %d' % (role, os.getpid()))
            while True:
                signal.pause()
                if not check:
                    continue
                check = False
                bad = []
                if shm[:] != SHMPAT * 256:
                    bad.append('shm')
                if role == 'parent':
                    if buf != PAT * (N // 4096):
                        bad.append('buf')
                    if f.tell() != len(TEXT):
                        bad.append('offset %d' % f.tell())
                    f.seek(0)
                    if f.read() != TEXT:
                        bad.append('file')
                    if os.read(r, 100) != b'in flight':
                        bad.append('pipe')
                    if os.waitpid(child, os.WNOHANG) != (0, 0):
                        bad.append('child gone')
                print(('PASS ' + role) if not bad else ('FAIL %s %s' % (role, ' '.join(bad))))
            """;
    /** The real interpreter behind python3 on PATH (a pyenv shim is a bash script: not the process to dump). */
    public static String realPython() throws Exception {
        Process p;
        try {
            p = new ProcessBuilder("python3", "-c", "import os, sys; print(os.path.realpath(sys.executable))")
                    .redirectErrorStream(true).start();
        } catch (IOException e) {
            Assume.assumeNoException("no python3 on PATH", e);
            throw e;
        }
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
        Assume.assumeTrue("python3 failed: " + out, p.waitFor(30, TimeUnit.SECONDS) && p.exitValue() == 0);
        assertTrue(out, Files.isExecutable(Path.of(out)));
        return out;
    }


    /** Starts the workload in {@code dir} (its script, data file and log go there), in the cgroups given. */
    public static CWorkload start(Path dir, java.util.List<Path> cgroupProcs) throws Exception {
        String python = realPython();
        Path script = dir.resolve("workload.py");
        Files.writeString(script, SCRIPT);
        return CWorkload.start(java.util.List.of(python, "-u", script.toString(), dir.resolve("data.txt").toString()),
                cgroupProcs, dir.resolve("workload.log"), 20_000,
                x -> x.log().lines().filter(l -> l.startsWith("READY ")).count() == 2);
    }

    /** Every process's self-check (SIGUSR1 to each READY role) says PASS. */
    public static void assertSelfChecksPass(CWorkload w) {
        for (java.util.Map.Entry<String, Integer> e : w.byName("READY").entrySet()) {
            org.junit.Assert.assertEquals("PASS " + e.getKey(), w.selfCheck(e.getValue(),
                    l -> l.startsWith("PASS " + e.getKey()) || l.startsWith("FAIL " + e.getKey()), 10_000));
        }
    }
}
