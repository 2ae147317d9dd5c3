package io.hotvirt.checkpoint.image;

/** Names and constants of the image layout, in one place so writer and verifier agree. */
public final class ImageFormat {

    /** Bumped on any incompatible change of a file's layout (2: chunked file checksums, {@link FileDigest}). */
    public static final int VERSION = 2;

    /** The oldest format this hotvirt still reads. */
    public static final int OLDEST_READABLE = 1;

    /** Page files hold whole 4 KiB pages only, so any offset in them can be mmap'ed. */
    public static final int PAGE_SIZE = 4096;

    public static final String MANIFEST = "manifest.json";

    /** The open files of the whole domain: each open file description once, and every process's fds. */
    public static final String FILES = "files.json";

    /** Which domain the image is of, when and how it was taken, and its process tree in brief. */
    public static final String DOMAIN = "domain.json";

    private ImageFormat() {
    }

    /** Raw page contents of one process, 4096-byte aligned. */
    public static String pagesFile(int pid) {
        return "pages-" + pid + ".img";
    }

    /** The binary index of {@link #pagesFile}: runs of (vaddr, npages, file offset, kind). */
    public static String pageIndexFile(int pid) {
        return "pagemap-" + pid + ".idx";
    }

    /** Per-process metadata: identity and memory areas. */
    public static String processFile(int pid) {
        return "process-" + pid + ".json";
    }

    /** The bytes that were in flight in a pipe, named by its reference {@code pipe-INODE}. */
    public static String pipeDataFile(String pipeRef) {
        return pipeRef + ".data";
    }

    /** Every shared memory object saved, with who maps it: {@link #shmFile} names their contents. */
    public static final String SHARED_MEMORY = "shm.json";

    /**
     * The contents of one shared memory object (shared anonymous memory, memfd, SysV segment),
     * named by its identity: device {@code major.minor} in hex as /proc/PID/maps shows it, and
     * inode. Whole pages, from offset 0 of the object.
     */
    public static String shmFile(int devMajor, int devMinor, long inode) {
        return String.format("shm-%02x.%02x-%d.img", devMajor, devMinor, inode);
    }

    /** Where an image named {@code name} is built before it is renamed into place. */
    public static String partialName(String name) {
        return "." + name + ".partial";
    }

    /** Image names become directory names: keep them to one harmless path element. */
    public static void checkName(String name) {
        if (name == null || name.isEmpty() || name.startsWith(".") || !name.matches("[A-Za-z0-9._@+-]+")) {
            throw new IllegalArgumentException("not a valid image name: '" + name
                    + "' (letters, digits and . _ @ + - only, not starting with a dot)");
        }
    }
}
