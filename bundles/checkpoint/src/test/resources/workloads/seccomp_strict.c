/*
 * Self-checking workload for a process in strict seccomp mode (SECCOMP_MODE_STRICT): after it
 * enters it, it may only read, write, _exit and sigreturn; any other syscall kills it.
 * usage: seccomp_strict FIFO
 * Makes FIFO and opens it (read-write, so that the open does not wait for a writer), enters strict
 * mode, prints READY and blocks in read() on the FIFO. Whatever is written there wakes it: it
 * prints PASS (it is alive, and reads and writes as before) and ends with _exit.
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <linux/seccomp.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

static void say(const char *s) {
    if (write(1, s, strlen(s)) < 0) {
        syscall(SYS_exit, 1);
    }
}

int main(int argc, char **argv) {
    if (argc != 2) {
        fprintf(stderr, "usage: seccomp_strict FIFO\n");
        return 2;
    }
    if (mkfifo(argv[1], 0600) != 0) {
        printf("FAIL mkfifo %s\n", argv[1]);
        return 1;
    }
    int fd = open(argv[1], O_RDWR);
    if (fd < 0) {
        printf("FAIL open %s\n", argv[1]);
        return 1;
    }
    fflush(stdout);
    if (prctl(PR_SET_SECCOMP, SECCOMP_MODE_STRICT) != 0) {
        printf("FAIL prctl(PR_SET_SECCOMP, SECCOMP_MODE_STRICT)\n");
        return 1;
    }
    say("READY\n");
    char c;
    if (read(fd, &c, 1) == 1) {
        say("PASS\n");
    } else {
        say("FAIL read\n");
    }
    syscall(SYS_exit, 0); /* exit_group is not allowed in strict mode */
    return 0;
}
