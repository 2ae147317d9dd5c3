package io.hotvirt.linux.proc;

import java.util.Set;

/**
 * One line of {@code /proc/PID/maps}: a virtual memory area.
 *
 * @param start  first address (inclusive)
 * @param end    end address (exclusive)
 * @param perms  four characters, e.g. {@code "r-xp"}: read, write, execute, p(rivate) or s(hared)
 * @param offset offset into the mapped file (or the page offset for anonymous areas)
 * @param inode  the mapped file's inode, 0 for anonymous and kernel-provided areas
 * @param path   the file, a special name such as {@code [heap]}, {@code [stack]}, {@code [vdso]},
 *               {@code [anon:name]}, or "" for an anonymous area. A deleted file ends with
 *               {@code " (deleted)"}.
 */
public record MemoryMapping(long start, long end, String perms, long offset, int devMajor, int devMinor,
                            long inode, String path) {

    private static final String DELETED = " (deleted)";

    /** Areas the kernel provides itself; they are re-created by the kernel, never dumped as data. */
    private static final Set<String> KERNEL_AREAS = Set.of("[vdso]", "[vvar]", "[vvar_vclock]", "[vsyscall]",
            "[uprobes]");

    public long size() {
        return end - start;
    }

    public long pages(long pageSize) {
        return size() / pageSize;
    }

    public boolean readable() {
        return perms.charAt(0) == 'r';
    }

    public boolean writable() {
        return perms.charAt(1) == 'w';
    }

    public boolean executable() {
        return perms.charAt(2) == 'x';
    }

    /** Copy-on-write private mapping ({@code p}); the alternative is shared ({@code s}). */
    public boolean isPrivate() {
        return perms.charAt(3) == 'p';
    }

    public boolean isShared() {
        return perms.charAt(3) == 's';
    }

    /** A bracketed name such as {@code [heap]} rather than a file. */
    public boolean isSpecial() {
        return path.startsWith("[");
    }

    /** Memory not backed by a file: plain anonymous areas, heap, stacks, named anonymous areas. */
    public boolean isAnonymous() {
        return inode == 0 && (path.isEmpty() || (isSpecial() && !isKernelArea()));
    }

    /** vDSO, vvar, vsyscall, uprobes: mapped by the kernel, not by the process. */
    public boolean isKernelArea() {
        return KERNEL_AREAS.contains(path);
    }

    public boolean isHeap() {
        return path.equals("[heap]");
    }

    /** The main thread's stack (other threads' stacks are plain anonymous areas). */
    public boolean isStack() {
        return path.equals("[stack]");
    }

    public boolean isVdso() {
        return path.equals("[vdso]");
    }

    public boolean isVvar() {
        return path.startsWith("[vvar");
    }

    public boolean isVsyscall() {
        return path.equals("[vsyscall]");
    }

    /** Backed by a file (which may have been deleted since). */
    public boolean isFile() {
        return inode != 0 || path.startsWith("/");
    }

    public boolean deleted() {
        return path.endsWith(DELETED);
    }

    /** The path without a {@code " (deleted)"} suffix. */
    public String filePath() {
        return deleted() ? path.substring(0, path.length() - DELETED.length()) : path;
    }

    public boolean contains(long address) {
        return Long.compareUnsigned(address, start) >= 0 && Long.compareUnsigned(address, end) < 0;
    }

    /**
     * Parses {@code "7f0000000000-7f0000021000 rw-p 00000000 00:00 0   [heap]"}. The path is the
     * rest of the line after the inode and may contain spaces.
     */
    public static MemoryMapping parse(String line) {
        int[] pos = {0};
        String range = token(line, pos);
        String perms = token(line, pos);
        String offset = token(line, pos);
        String dev = token(line, pos);
        String inode = token(line, pos);
        int dash = range.indexOf('-');
        int colon = dev.indexOf(':');
        if (dash < 0 || colon < 0 || perms.length() != 4) {
            throw new IllegalArgumentException("not a /proc/PID/maps line: " + line);
        }
        String path = pos[0] < line.length() ? line.substring(pos[0]).stripLeading() : "";
        return new MemoryMapping(Long.parseUnsignedLong(range.substring(0, dash), 16),
                Long.parseUnsignedLong(range.substring(dash + 1), 16), perms, Long.parseUnsignedLong(offset, 16),
                Integer.parseInt(dev.substring(0, colon), 16), Integer.parseInt(dev.substring(colon + 1), 16),
                Long.parseLong(inode), path);
    }

    private static String token(String line, int[] pos) {
        int i = pos[0];
        while (i < line.length() && line.charAt(i) == ' ') {
            i++;
        }
        int start = i;
        while (i < line.length() && line.charAt(i) != ' ') {
            i++;
        }
        if (start == i) {
            throw new IllegalArgumentException("not a /proc/PID/maps line: " + line);
        }
        pos[0] = i;
        return line.substring(start, i);
    }
}
