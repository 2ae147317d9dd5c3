package io.hotvirt.linux.jna;

/** Linux syscall numbers on x86-64 (arch/x86/entry/syscalls/syscall_64.tbl), for {@code LibC.syscall}. */
public final class Syscall {

    public static final int READ = 0;
    public static final int WRITE = 1;
    public static final int OPEN = 2;
    public static final int CLOSE = 3;
    public static final int LSEEK = 8;
    public static final int MMAP = 9;
    public static final int MPROTECT = 10;
    public static final int MUNMAP = 11;
    public static final int RT_SIGACTION = 13;
    public static final int RT_SIGPROCMASK = 14;
    public static final int RT_SIGRETURN = 15;
    public static final int IOCTL = 16;
    public static final int MREMAP = 25;
    public static final int MADVISE = 28;
    public static final int DUP2 = 33;
    public static final int GETITIMER = 36;
    public static final int SETITIMER = 38;
    public static final int GETPID = 39;
    public static final int SOCKET = 41;
    public static final int SOCKETPAIR = 53;
    public static final int CLONE = 56;
    public static final int FORK = 57;
    public static final int EXECVE = 59;
    public static final int EXIT = 60;
    public static final int WAIT4 = 61;
    public static final int KILL = 62;
    public static final int FCNTL = 72;
    public static final int FTRUNCATE = 77;
    public static final int CHDIR = 80;
    public static final int UMASK = 95;
    public static final int SETPGID = 109;
    public static final int SETSID = 112;
    public static final int SETRESUID = 117;
    public static final int SETRESGID = 119;
    public static final int SETGROUPS = 116;
    public static final int SETFSUID = 122;
    public static final int CAPSET = 126;
    public static final int SETFSGID = 123;
    public static final int CHROOT = 161;
    public static final int OPENAT = 257;
    public static final int PTRACE = 101;
    public static final int RT_SIGQUEUEINFO = 129;
    public static final int SIGALTSTACK = 131;
    public static final int PRCTL = 157;
    public static final int ARCH_PRCTL = 158;
    public static final int GETTID = 186;
    public static final int TKILL = 200;
    public static final int SET_TID_ADDRESS = 218;
    public static final int TIMER_CREATE = 222;
    public static final int TIMER_SETTIME = 223;
    public static final int TIMER_GETTIME = 224;
    public static final int EXIT_GROUP = 231;
    public static final int TGKILL = 234;
    public static final int WAITID = 247;
    public static final int SET_ROBUST_LIST = 273;
    public static final int TEE = 276;
    public static final int PIPE2 = 293;
    public static final int RT_TGSIGQUEUEINFO = 297;
    public static final int PRLIMIT64 = 302;
    public static final int EVENTFD2 = 290;
    public static final int DUP3 = 292;
    public static final int PROCESS_VM_READV = 310;
    public static final int PROCESS_VM_WRITEV = 311;
    public static final int KCMP = 312;
    public static final int MEMFD_CREATE = 319;
    public static final int USERFAULTFD = 323;
    public static final int RSEQ = 334;
    public static final int PIDFD_SEND_SIGNAL = 424;
    public static final int PIDFD_OPEN = 434;
    public static final int CLONE3 = 435;
    public static final int CLOSE_RANGE = 436;
    public static final int PIDFD_GETFD = 438;
    public static final int PROCESS_MADVISE = 440;

    private Syscall() {
    }
}
