package io.hotvirt.checkpoint.tree;

import org.junit.Test;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.junit.Assert.assertEquals;

/** Parsers and ordering of the tree reader, without a kernel. */
public class TreeParsersTest {

    private static final String LIMITS = String.join("\n",
            "Limit                     Soft Limit           Hard Limit           Units     ",
            "Max cpu time              unlimited            unlimited            seconds   ",
            "Max file size             unlimited            unlimited            bytes     ",
            "Max data size             unlimited            unlimited            bytes     ",
            "Max stack size            8388608              unlimited            bytes     ",
            "Max core file size        0                    unlimited            bytes     ",
            "Max resident set          unlimited            unlimited            bytes     ",
            "Max processes             63448                63448                processes ",
            "Max open files            512                  1048576              files     ",
            "Max locked memory         8388608              8388608              bytes     ",
            "Max address space         unlimited            unlimited            bytes     ",
            "Max file locks            unlimited            unlimited            locks     ",
            "Max pending signals       63448                63448                signals   ",
            "Max msgqueue size         819200               819200               bytes     ",
            "Max nice priority         0                    0                    ",
            "Max realtime priority     0                    0                    ",
            "Max realtime timeout      unlimited            unlimited            us        ", "");

    @Test
    public void parsesLimits() {
        List<Rlimit> l = Rlimit.parseLimits(LIMITS);
        assertEquals(16, l.size());
        for (int i = 0; i < 16; i++) {
            assertEquals(i, l.get(i).resource());
        }
        assertEquals(new Rlimit(7, "Max open files", 512, 1048576), l.get(Rlimit.RLIMIT_NOFILE));
        assertEquals(Rlimit.INFINITY, l.get(Rlimit.RLIMIT_CPU).soft());
        assertEquals(8388608, l.get(Rlimit.RLIMIT_STACK).soft());
        assertEquals(0, l.get(Rlimit.RLIMIT_NICE).hard());
    }

    @Test
    public void parsesAuxvUpToAtNull() {
        ByteBuffer b = ByteBuffer.allocate(64).order(ByteOrder.nativeOrder());
        b.putLong(6).putLong(4096).putLong(33).putLong(0x7fff0000L).putLong(0).putLong(0).putLong(9).putLong(1);
        List<AuxEntry> a = TreeReader.auxv(b.array());
        assertEquals(List.of(new AuxEntry(6, 4096), new AuxEntry(33, 0x7fff0000L)), a);
    }

    @Test
    public void ordersParentsFirst() {
        Map<Integer, ProcessRecord> m = new HashMap<>();
        // 50 is a child of 300 (pid reuse: a child may have a lower pid than its parent)
        for (int[] pp : new int[][] {{300, 1}, {50, 300}, {301, 300}, {400, 50}, {20, 7}}) {
            m.put(pp[0], new ProcessRecord(pp[0], pp[1], 0, 0, List.of(pp[0]), null, "/", "/", 022, List.of(),
                    "x", "/x", null, null));
        }
        assertEquals(List.of(20, 300, 50, 301, 400),
                TreeReader.parentsFirst(m).stream().map(ProcessRecord::pid).toList());
    }
}
