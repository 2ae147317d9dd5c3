package io.hotvirt.linux.proc;

import org.junit.Test;

import java.util.List;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;

/** The /proc line parsers on literal text, including the awkward cases. */
public class ProcParsersTest {

    @Test
    public void statCommWithSpacesAndParenthesesEndsAtTheLastParenthesis() {
        String line = "4242 (a) (b c)) S 17 4242 4240 0 -1 4194560 120 0 0 0 5 7 0 0 20 0 3 0 98765 1000000 250"
                + " 18446744073709551615 1 1 0 0 0 0 0 0 0 0 0 17 1 0 0 0 0 0";
        ProcStat s = ProcStat.parse(line);
        assertEquals(4242, s.pid());
        assertEquals("a) (b c)", s.comm());
        assertEquals('S', s.state());
        assertEquals(17, s.ppid());
        assertEquals(4242, s.pgrp());
        assertEquals(4240, s.session());
        assertEquals(5, s.utimeTicks());
        assertEquals(7, s.stimeTicks());
        assertEquals(3, s.numThreads());
        assertEquals(98765, s.startTimeTicks());
        assertEquals(250, s.rssPages());
        assertFalse(s.dead());
        assertTrue(ProcStat.parse(line.replace(") S ", ") Z ")).dead());
    }

    @Test(expected = IllegalArgumentException.class)
    public void statRejectsGarbage() {
        ProcStat.parse("not a stat line");
    }

    @Test
    public void cgroupLinesOfV1V2AndNamedHierarchies() {
        assertEquals(new CgroupEntry(0, List.of(), "/user.slice/x.scope"), CgroupEntry.parse("0::/user.slice/x.scope"));
        CgroupEntry cpu = CgroupEntry.parse("4:cpu,cpuacct:/hotvirt/w1");
        assertEquals(List.of("cpu", "cpuacct"), cpu.controllers());
        assertEquals("cpu,cpuacct", cpu.key());
        assertEquals("/hotvirt/w1", cpu.path());
        CgroupEntry systemd = CgroupEntry.parse("9:name=systemd:/a:b");
        assertEquals(List.of("name=systemd"), systemd.controllers());
        assertEquals("/a:b", systemd.path()); // a ':' in the path is kept
        assertTrue(CgroupEntry.parse("0::/").v2());
    }

    @Test
    public void mapsLines() {
        MemoryMapping lib = MemoryMapping.parse(
                "7f12a4c28000-7f12a4dbd000 r-xp 00028000 fe:01 1835226                    /usr/lib/x86_64-linux-gnu/libc.so.6");
        assertEquals(0x7f12a4c28000L, lib.start());
        assertEquals(0x7f12a4dbd000L, lib.end());
        assertEquals(0x28000, lib.offset());
        assertEquals(0xfe, lib.devMajor());
        assertEquals(1, lib.devMinor());
        assertEquals(1835226, lib.inode());
        assertTrue(lib.readable() && lib.executable() && lib.isPrivate() && !lib.writable());
        assertTrue(lib.isFile());
        assertFalse(lib.isAnonymous());

        MemoryMapping spaced = MemoryMapping.parse("00400000-00401000 rw-s 00000000 08:02 77   /tmp/my file (deleted)");
        assertEquals("/tmp/my file (deleted)", spaced.path());
        assertTrue(spaced.deleted() && spaced.isShared());
        assertEquals("/tmp/my file", spaced.filePath());

        MemoryMapping anon = MemoryMapping.parse("7f0000000000-7f0000004000 rw-p 00000000 00:00 0 ");
        assertEquals("", anon.path());
        assertTrue(anon.isAnonymous());
        assertEquals(4, anon.pages(4096));

        assertTrue(MemoryMapping.parse("55d0c0000000-55d0c0021000 rw-p 00000000 00:00 0  [heap]").isHeap());
        assertTrue(MemoryMapping.parse("7ffc00000000-7ffc00021000 rw-p 00000000 00:00 0  [stack]").isAnonymous());
        assertTrue(MemoryMapping.parse("7ffc00000000-7ffc00001000 rw-p 00000000 00:00 0  [anon:jit]").isAnonymous());
        MemoryMapping vdso = MemoryMapping.parse("7fff5f7e9000-7fff5f7eb000 r-xp 00000000 00:00 0  [vdso]");
        assertTrue(vdso.isVdso() && vdso.isKernelArea() && !vdso.isAnonymous());
        assertTrue(MemoryMapping.parse("7fff5f7e5000-7fff5f7e9000 r--p 00000000 00:00 0  [vvar_vclock]").isVvar());
        MemoryMapping vsyscall = MemoryMapping.parse("ffffffffff600000-ffffffffff601000 --xp 00000000 00:00 0  [vsyscall]");
        assertEquals(0xffffffffff600000L, vsyscall.start());
        assertTrue(vsyscall.isVsyscall() && vsyscall.contains(0xffffffffff600800L));
        assertFalse(vsyscall.readable());
    }

    @Test
    public void pagemapEntries() {
        long present = (1L << 63) | (1L << 56) | 0x12345L;
        PageEntry p = new PageEntry(0x1000, present);
        assertTrue(p.present() && p.exclusive());
        assertFalse(p.swapped() || p.fileOrSharedAnon() || p.softDirty());
        assertEquals(0x12345L, p.pfn());
        assertEquals(-1, p.swapType());

        long swapped = (1L << 62) | (0xabcdL << 5) | 3;
        PageEntry s = new PageEntry(0x2000, swapped);
        assertTrue(s.swapped());
        assertFalse(s.present());
        assertEquals(3, s.swapType());
        assertEquals(0xabcdL, s.swapOffset());
        assertEquals(-1, s.pfn());

        PageEntry file = new PageEntry(0x3000, (1L << 63) | (1L << 61) | (1L << 55));
        assertTrue(file.fileOrSharedAnon() && file.softDirty());
        assertTrue(new PageEntry(0, 0).unpopulated());
    }

    @Test
    public void statusLines() {
        String text = String.join("\n",
                "Name:\tmy worker", "Umask:\t0022", "State:\tS (sleeping)", "Tgid:\t100", "Ngid:\t0", "Pid:\t101",
                "PPid:\t1", "TracerPid:\t0", "Uid:\t1000\t1001\t1002\t1003", "Gid:\t50\t51\t52\t53",
                "Groups:\t4 24 27 ", "NSpid:\t101\t7", "VmRSS:\t    2048 kB", "VmSwap:\t      12 kB",
                "Threads:\t3", "SigQ:\t0/31511", "SigPnd:\t0000000000000000", "ShdPnd:\t0000000000004000",
                "SigBlk:\t0000000000010000", "SigIgn:\t0000000000001000", "SigCgt:\t8000000000000002",
                "CapEff:\t000001ffffffffff", "");
        ProcStatus s = ProcStatus.parse(text);
        assertEquals("my worker", s.name());
        assertEquals('S', s.state());
        assertEquals(100, s.tgid());
        assertEquals(101, s.pid());
        assertEquals(List.of(1000, 1001, 1002, 1003), s.uids());
        assertEquals(List.of(50, 51, 52, 53), s.gids());
        assertEquals(List.of(4, 24, 27), s.groups());
        assertEquals(List.of(101, 7), s.nsPids());
        assertEquals(2048 * 1024L, s.vmRssBytes());
        assertEquals(12 * 1024L, s.vmSwapBytes());
        assertEquals(3, s.threads());
        assertTrue(ProcStatus.hasSignal(s.shdPnd(), 15)); // bit 14: SIGTERM pending
        assertTrue(ProcStatus.hasSignal(s.sigBlk(), 17));
        assertTrue(ProcStatus.hasSignal(s.sigIgn(), 13));
        assertTrue(ProcStatus.hasSignal(s.sigCgt(), 2));
        assertTrue(ProcStatus.hasSignal(s.sigCgt(), 64)); // bit 63 survives parsing
        assertEquals("000001ffffffffff", s.field("CapEff"));
    }

    @Test
    public void fdinfoText() {
        FdInfo f = FdInfo.parse(5, "/var/log/app.log", "pos:\t1234\nflags:\t02102001\nmnt_id:\t26\nino:\t9876\n");
        assertEquals(1234, f.pos());
        assertEquals(26, f.mntId());
        assertEquals(9876, f.inode());
        assertEquals(1, f.accessMode());
        assertTrue(f.writable() && !f.readable());
        assertTrue(f.append() && f.closeOnExec() && f.isPath());
        FdInfo e = FdInfo.parse(7, "anon_inode:[eventfd]", "pos:\t0\nflags:\t02004002\nmnt_id:\t15\nino:\t1\neventfd-count:  5\n");
        assertTrue(e.isAnonInode() && e.nonBlocking());
        assertEquals(List.of("eventfd-count:  5"), e.extra());
        assertTrue(FdInfo.parse(0, "pipe:[123]", "pos:\t0\nflags:\t00\nmnt_id:\t1\n").isPipe());
    }
}
