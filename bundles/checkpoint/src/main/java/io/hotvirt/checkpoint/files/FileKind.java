package io.hotvirt.checkpoint.files;

/** What an open file description refers to. */
public enum FileKind {
    REGULAR,
    DIRECTORY,
    /** the character device 1:3 */
    DEV_NULL,
    /** a terminal: pseudo-terminal slave (136:*) or virtual console / tty (4:*) */
    TERMINAL,
    CHAR_DEVICE,
    BLOCK_DEVICE,
    /** an anonymous pipe, {@code pipe:[ino]} */
    PIPE,
    /** a named pipe in the filesystem */
    FIFO,
    EVENTFD,
    UNIX_SOCKET,
    /** a socket of another family (not restorable yet) */
    SOCKET,
    /** another anon_inode: epoll, signalfd, timerfd, pidfd … (not restorable yet) */
    ANON_INODE,
    OTHER
}
