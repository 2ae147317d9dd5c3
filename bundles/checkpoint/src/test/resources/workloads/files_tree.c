/*
 * Self-checking workload for the checkpoint's tree and files readers.
 * usage: files_tree DIR
 * chdir(DIR), umask 027, RLIMIT_NOFILE soft 512. The parent opens shared.txt and writes 13 bytes
 * (offset 13), makes a pipe with 10 bytes in flight ("0123456789"), an eventfd with count 7, a
 * unix socketpair and /dev/null, then forks 2 children which inherit all of it (one open file
 * description each, shared). The parent and each child also open separate.txt on their own
 * (three descriptions of the same file; child i seeks it to 100*i). Child 1 keeps the pipe's read
 * end, the parent its write end. Each prints "READY <role> <pid>".
 * SIGUSR1 to child 1: it reads the pipe and prints "PASS pipe" if it got exactly the 10 bytes.
 * SIGUSR1 to the parent: it checks shared.txt's offset (13) and reads the eventfd (7): "PASS parent".
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

static volatile sig_atomic_t check;

static void on_usr1(int sig) { (void) sig; check = 1; }

static void die(const char *what) { printf("FAIL %s: %s\n", what, strerror(errno)); exit(1); }

int main(int argc, char **argv) {
    if (argc != 2) { fprintf(stderr, "usage: files_tree DIR\n"); return 2; }
    setvbuf(stdout, NULL, _IONBF, 0);
    if (chdir(argv[1]) != 0) die("chdir");
    umask(027);
    struct rlimit rl;
    getrlimit(RLIMIT_NOFILE, &rl);
    rl.rlim_cur = 512;
    if (setrlimit(RLIMIT_NOFILE, &rl) != 0) die("setrlimit");
    char *heap = malloc(1 << 16); /* a [heap] mapping */
    memset(heap, 1, 1 << 16);
    signal(SIGUSR1, on_usr1);

    int shared = open("shared.txt", O_RDWR | O_CREAT | O_TRUNC, 0644);
    if (shared < 0 || write(shared, "hello shared\n", 13) != 13) die("shared.txt");
    int p[2];
    if (pipe(p) != 0 || write(p[1], "0123456789", 10) != 10) die("pipe");
    int efd = eventfd(7, 0);
    if (efd < 0) die("eventfd");
    int sv[2];
    if (socketpair(AF_UNIX, SOCK_STREAM, 0, sv) != 0) die("socketpair");
    int devnull = open("/dev/null", O_RDWR);
    if (devnull < 0) die("/dev/null");
    printf("FDS shared=%d pipe_r=%d pipe_w=%d eventfd=%d sock0=%d sock1=%d devnull=%d\n",
           shared, p[0], p[1], efd, sv[0], sv[1], devnull);

    for (int i = 1; i <= 2; i++) {
        pid_t pid = fork();
        if (pid < 0) die("fork");
        if (pid == 0) {
            if (i != 1) close(p[0]);
            close(p[1]);
            int sep = open("separate.txt", O_RDWR | O_CREAT, 0644);
            if (sep < 0 || lseek(sep, 100 * i, SEEK_SET) != 100 * i) die("separate.txt");
            printf("SEP child%d %d\n", i, sep);
            printf("READY child%d %d\n", i, getpid());
            for (;;) {
                pause();
                if (check && i == 1) {
                    check = 0;
                    char buf[32];
                    fcntl(p[0], F_SETFL, O_NONBLOCK);
                    ssize_t n = read(p[0], buf, sizeof buf);
                    if (n == 10 && memcmp(buf, "0123456789", 10) == 0) printf("PASS pipe\n");
                    else printf("FAIL pipe: read %zd bytes\n", n);
                }
            }
        }
    }
    close(p[0]);
    int sep = open("separate.txt", O_RDWR | O_CREAT, 0644);
    if (sep < 0) die("separate.txt");
    printf("SEP parent %d\n", sep);
    printf("READY parent %d\n", getpid());
    for (;;) {
        pause();
        if (check) {
            check = 0;
            off_t off = lseek(shared, 0, SEEK_CUR);
            unsigned long long v = 0;
            if (read(efd, &v, 8) != 8) die("read eventfd");
            if (off == 13 && v == 7) printf("PASS parent\n");
            else printf("FAIL parent: offset %lld eventfd %llu\n", (long long) off, v);
        }
    }
}
