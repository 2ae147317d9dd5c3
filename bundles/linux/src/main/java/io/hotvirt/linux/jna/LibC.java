package io.hotvirt.linux.jna;

import com.sun.jna.LastErrorException;
import com.sun.jna.Library;
import com.sun.jna.Native;
import com.sun.jna.Pointer;
import com.sun.jna.ptr.IntByReference;

/**
 * The glibc functions hotvirt calls (Linux, x86-64). Functions that report failure through errno
 * declare {@link LastErrorException}; JNA clears errno before such a call and throws when it is set
 * afterwards, so only functions that leave errno alone on success may declare it. Functions that
 * return an error number themselves (posix_spawn*) or may set errno on success (sysconf) do not.
 *
 * <p>Variadic functions (syscall, open, prctl, ptrace) are bound with fixed integer or pointer
 * arguments: on x86-64 that is the same calling convention as long as no floating point argument is
 * passed, and it spares JNA's varargs boxing.
 *
 * <p>Its constants are the one place hotvirt declares the kernel's flags and options (open, fcntl,
 * wait, mmap, prctl …): other classes use these, never a copy of the number. Signal numbers and
 * names live in {@link io.hotvirt.linux.process.Signals}, syscall numbers in {@link Syscall}.
 */
public interface LibC extends Library {

    LibC INSTANCE = Native.load("c", LibC.class);

    // ---- sizes of opaque glibc types, with room to spare (x86-64 glibc: 80, 336, 128 bytes)
    int POSIX_SPAWN_FILE_ACTIONS_SIZE = 256;
    int POSIX_SPAWNATTR_SIZE = 512;
    int SIGSET_SIZE = 128;
    int SIGINFO_SIZE = 128;
    /** The kernel's sigset_t (rt_sigprocmask, PTRACE_GETSIGMASK, signalfd): 64 signals in 8 bytes. */
    int KERNEL_SIGSET_SIZE = 8;

    // ---- posix_spawnattr flags (glibc)
    short POSIX_SPAWN_RESETIDS = 0x01;
    short POSIX_SPAWN_SETPGROUP = 0x02;
    short POSIX_SPAWN_SETSIGDEF = 0x04;
    short POSIX_SPAWN_SETSIGMASK = 0x08;
    short POSIX_SPAWN_SETSID = 0x80;

    // ---- open(2) flags (octal, as in the kernel headers)
    int O_RDONLY = 0;
    int O_WRONLY = 01;
    int O_RDWR = 02;
    int O_ACCMODE = 03;
    int O_CREAT = 0100;
    int O_EXCL = 0200;
    int O_NOCTTY = 0400;
    int O_TRUNC = 01000;
    int O_APPEND = 02000;
    int O_NONBLOCK = 04000;
    int O_DIRECT = 040000;
    int O_LARGEFILE = 0100000;
    int O_DIRECTORY = 0200000;
    int O_CLOEXEC = 02000000;
    int O_PATH = 010000000;

    // ---- fcntl(2) commands, and the *at(2) calls' "current directory"
    int F_SETFD = 2;
    int F_GETFL = 3;
    int F_SETFL = 4;
    int F_DUPFD_CLOEXEC = 1030;
    int F_SETPIPE_SZ = 1031;
    int F_GETPIPE_SZ = 1032;
    int AT_FDCWD = -100;

    // ---- stat(2) file type, socket(2) family
    int S_IFMT = 0170000;
    int AF_UNIX = 1;

    // ---- waitpid / waitid
    int WNOHANG = 1;
    int WUNTRACED = 2;
    int WSTOPPED = 2;
    int WEXITED = 4;
    int WCONTINUED = 8;
    int WNOWAIT = 0x01000000;
    int __WALL = 0x40000000;
    int P_ALL = 0;
    int P_PID = 1;
    int P_PGID = 2;
    int P_PIDFD = 3;
    /** siginfo_t si_code values for SIGCHLD. */
    int CLD_EXITED = 1;
    int CLD_KILLED = 2;
    int CLD_DUMPED = 3;
    int CLD_TRAPPED = 4;
    int CLD_STOPPED = 5;
    int CLD_CONTINUED = 6;

    // ---- poll
    short POLLIN = 0x001;
    short POLLPRI = 0x002;
    short POLLOUT = 0x004;
    short POLLERR = 0x008;
    short POLLHUP = 0x010;
    short POLLNVAL = 0x020;
    /** sizeof(struct pollfd): int fd, short events, short revents. */
    int POLLFD_SIZE = 8;

    // ---- eventfd
    int EFD_NONBLOCK = O_NONBLOCK;
    int EFD_CLOEXEC = O_CLOEXEC;

    // ---- memfd_create
    int MFD_CLOEXEC = 0x1;
    int MFD_ALLOW_SEALING = 0x2;

    // ---- mmap
    int PROT_NONE = 0;
    int PROT_READ = 1;
    int PROT_WRITE = 2;
    int PROT_EXEC = 4;
    int MAP_SHARED = 0x01;
    int MAP_PRIVATE = 0x02;
    int MAP_FIXED = 0x10;
    int MAP_GROWSDOWN = 0x100;
    int MAP_ANONYMOUS = 0x20;
    int MAP_POPULATE = 0x8000;
    int MAP_FIXED_NOREPLACE = 0x100000;

    // ---- sysconf
    int _SC_CLK_TCK = 2;
    int _SC_PAGESIZE = 30;

    // ---- prctl
    int PR_SET_PDEATHSIG = 1;
    int PR_CAP_AMBIENT_RAISE = 2; // PR_CAP_AMBIENT's second argument
    int PR_GET_DUMPABLE = 3;
    int PR_SET_DUMPABLE = 4;
    int PR_SET_KEEPCAPS = 8;
    int PR_SET_NAME = 15;
    int PR_GET_NAME = 16;
    int PR_CAPBSET_DROP = 24;
    int PR_SET_MM = 35;
    int PR_SET_MM_MAP = 14;
    int PR_SET_MM_MAP_SIZE = 15;
    int PR_SET_CHILD_SUBREAPER = 36;
    int PR_SET_NO_NEW_PRIVS = 38;
    int PR_GET_TID_ADDRESS = 40;
    int PR_CAP_AMBIENT = 47;
    int PR_TIMER_CREATE_RESTORE_IDS = 77;
    int PR_SET_PTRACER = 0x59616d61;

    // ---- ptrace requests
    int PTRACE_TRACEME = 0;
    int PTRACE_CONT = 7;
    int PTRACE_KILL = 8;
    int PTRACE_GETREGS = 12;
    int PTRACE_SETREGS = 13;
    int PTRACE_GETFPREGS = 14;
    int PTRACE_SETFPREGS = 15;
    int PTRACE_ATTACH = 16;
    int PTRACE_DETACH = 17;
    int PTRACE_SYSCALL = 24;
    int PTRACE_SETOPTIONS = 0x4200;
    int PTRACE_GETEVENTMSG = 0x4201;
    int PTRACE_GETSIGINFO = 0x4202;
    int PTRACE_SETSIGINFO = 0x4203;
    int PTRACE_GETREGSET = 0x4204;
    int PTRACE_SETREGSET = 0x4205;
    int PTRACE_SEIZE = 0x4206;
    int PTRACE_INTERRUPT = 0x4207;
    int PTRACE_LISTEN = 0x4208;
    int PTRACE_ARCH_PRCTL = 30;
    int PTRACE_GET_SYSCALL_INFO = 0x420e;
    /** PTRACE_SETOPTIONS / PTRACE_SEIZE option bits. */
    int PTRACE_O_TRACESYSGOOD = 0x01;
    int PTRACE_O_TRACEFORK = 0x02;
    int PTRACE_O_TRACEVFORK = 0x04;
    int PTRACE_O_TRACECLONE = 0x08;
    int PTRACE_O_TRACEEXEC = 0x10;
    int PTRACE_O_TRACEEXIT = 0x40;
    int PTRACE_O_EXITKILL = 0x100000;
    /** Events reported in bits 16..23 of a waitpid status. */
    int PTRACE_EVENT_FORK = 1;
    int PTRACE_EVENT_VFORK = 2;
    int PTRACE_EVENT_CLONE = 3;
    int PTRACE_EVENT_EXEC = 4;
    int PTRACE_EVENT_EXIT = 6;
    int PTRACE_EVENT_STOP = 128;

    // ---- process spawning
    int posix_spawn(IntByReference pid, String path, Pointer fileActions, Pointer attr, String[] argv, String[] envp);

    int posix_spawn_file_actions_init(Pointer fileActions);

    int posix_spawn_file_actions_destroy(Pointer fileActions);

    int posix_spawn_file_actions_addopen(Pointer fileActions, int fd, String path, int oflag, int mode);

    int posix_spawn_file_actions_adddup2(Pointer fileActions, int fd, int newFd);

    int posix_spawn_file_actions_addclose(Pointer fileActions, int fd);

    /** glibc 2.34+. */
    int posix_spawn_file_actions_addclosefrom_np(Pointer fileActions, int lowFd);

    /** glibc 2.29+. */
    int posix_spawn_file_actions_addchdir_np(Pointer fileActions, String path);

    // ---- the user and group databases (through NSS, as login tools see them). Not reentrant and
    // errno is unreliable on "not found": callers serialize and treat null as "no such entry".

    /** struct passwd: pw_name, pw_passwd (pointers), pw_uid, pw_gid (ints), pw_gecos, pw_dir, pw_shell. */
    int PASSWD_UID_OFFSET = 16;
    int PASSWD_GID_OFFSET = 20;
    int PASSWD_DIR_OFFSET = 32;
    /** struct group: gr_name, gr_passwd (pointers), gr_gid (int), gr_mem. */
    int GROUP_GID_OFFSET = 16;

    Pointer getpwnam(String name);

    Pointer getpwuid(int uid);

    Pointer getgrnam(String name);

    Pointer getgrgid(int gid);

    /** Returns -1 and sets {@code ngroups} to the number needed when {@code groups} is too small. */
    int getgrouplist(String user, int group, int[] groups, IntByReference ngroups);

    int posix_spawnattr_init(Pointer attr);

    int posix_spawnattr_destroy(Pointer attr);

    int posix_spawnattr_setflags(Pointer attr, short flags);

    int posix_spawnattr_setsigmask(Pointer attr, Pointer sigset);

    int posix_spawnattr_setsigdefault(Pointer attr, Pointer sigset);

    int sigemptyset(Pointer set) throws LastErrorException;

    int sigfillset(Pointer set) throws LastErrorException;

    int sigaddset(Pointer set, int signal) throws LastErrorException;

    // ---- signals and waiting
    int kill(int pid, int signal) throws LastErrorException;

    int waitpid(int pid, IntByReference status, int options) throws LastErrorException;

    // ---- raw syscalls (numbers in {@link Syscall}); arguments are passed as 64-bit values
    long syscall(long number, long a1) throws LastErrorException;

    long syscall(long number, long a1, long a2) throws LastErrorException;

    long syscall(long number, long a1, long a2, long a3) throws LastErrorException;

    long syscall(long number, long a1, long a2, long a3, long a4) throws LastErrorException;

    long syscall(long number, long a1, long a2, long a3, long a4, long a5) throws LastErrorException;

    long syscall(long number, long a1, long a2, Pointer a3, long a4, Pointer a5) throws LastErrorException;

    long syscall(long number, long a1, long a2, Pointer a3, Pointer a4) throws LastErrorException;

    long syscall(long number, long a1, long a2, long a3, Pointer a4) throws LastErrorException;

    // ---- files
    int open(String path, int flags, int mode) throws LastErrorException;

    int close(int fd) throws LastErrorException;

    int mkfifo(String path, int mode) throws LastErrorException;

    long read(int fd, Pointer buffer, long count) throws LastErrorException;

    long write(int fd, Pointer buffer, long count) throws LastErrorException;

    long write(int fd, byte[] buffer, long count) throws LastErrorException;

    long pread(int fd, Pointer buffer, long count, long offset) throws LastErrorException;

    int SEEK_DATA = 3;
    int SEEK_HOLE = 4;

    long lseek(int fd, long offset, int whence) throws LastErrorException;

    long pwrite(int fd, Pointer buffer, long count, long offset) throws LastErrorException;

    int mkdir(String path, int mode) throws LastErrorException;

    int rmdir(String path) throws LastErrorException;

    int poll(Pointer fds, long count, int timeoutMillis) throws LastErrorException;

    int eventfd(int initialValue, int flags) throws LastErrorException;

    int memfd_create(String name, int flags) throws LastErrorException;

    // ---- memory
    Pointer mmap(Pointer address, long length, int prot, int flags, int fd, long offset) throws LastErrorException;

    int munmap(Pointer address, long length) throws LastErrorException;

    /** One byte per page of {@code vector}: bit 0 set when the page is in memory (page or swap cache). */
    int mincore(Pointer address, long length, Pointer vector) throws LastErrorException;

    int madvise(Pointer address, long length, int advice) throws LastErrorException;

    /** iovec arrays: pairs of (pointer, length), 16 bytes each. */
    long process_vm_readv(int pid, Pointer localIov, long localCount, Pointer remoteIov, long remoteCount, long flags)
            throws LastErrorException;

    long process_vm_writev(int pid, Pointer localIov, long localCount, Pointer remoteIov, long remoteCount, long flags)
            throws LastErrorException;

    // ---- misc
    int prctl(int option, long a2, long a3, long a4, long a5) throws LastErrorException;

    /** Not declared with LastErrorException: sysconf may leave errno set on success. */
    long sysconf(int name);

    int getpid();

    int geteuid();

    String strerror(int errno);
}
