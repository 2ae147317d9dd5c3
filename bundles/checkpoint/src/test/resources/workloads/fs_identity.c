/*
 * Self-checking workload of an unprivileged user, for restore's file-system identity.
 * usage: fs_identity DIR UID
 * Started as root; opens DIR/data.log (O_WRONLY|O_APPEND) and maps DIR/shared.bin shared and
 * writable (both the user's), then drops to UID (groups, gids, uids), starts a second thread and
 * prints READY. On SIGUSR1: appends to data.log through its fd, writes through the mapping and
 * reads it back from the file, checks it is still UID in this thread, then prints PASS or FAIL <why>.
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <grp.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <unistd.h>

static volatile sig_atomic_t usr1;
static void on_usr1(int sig) { (void) sig; usr1 = 1; }

static void *idle(void *arg) {
    (void) arg;
    for (;;)
        pause();
    return NULL;
}

static void say(const char *s) {
    if (write(1, s, strlen(s)) < 0)
        exit(2);
}

int main(int argc, char **argv) {
    char path[4096], line[256];
    if (argc != 3)
        return 2;
    uid_t uid = (uid_t) atoi(argv[2]);
    snprintf(path, sizeof path, "%s/data.log", argv[1]);
    int data = open(path, O_WRONLY | O_APPEND);
    snprintf(path, sizeof path, "%s/shared.bin", argv[1]);
    int sfd = open(path, O_RDWR);
    char *shared = sfd < 0 ? MAP_FAILED : mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED, sfd, 0);
    if (data < 0 || shared == MAP_FAILED) {
        say("FAIL cannot open the files\n");
        return 1;
    }
    close(sfd);
    strcpy(shared, "before");
    if (setgroups(0, NULL) || setresgid(uid, uid, uid) || setresuid(uid, uid, uid)) {
        say("FAIL cannot drop to the user\n");
        return 1;
    }
    /* SIGUSR1 is for the main thread, which pauses for it: the thread is born with it blocked */
    sigset_t usr1set;
    sigemptyset(&usr1set);
    sigaddset(&usr1set, SIGUSR1);
    pthread_sigmask(SIG_BLOCK, &usr1set, NULL);
    pthread_t t;
    pthread_create(&t, NULL, idle, NULL);
    pthread_sigmask(SIG_UNBLOCK, &usr1set, NULL);
    signal(SIGUSR1, on_usr1);
    say("READY\n");
    for (int round = 0;; round++) {
        while (!usr1)
            pause();
        usr1 = 0;
        char why[512] = "";
        uid_t r, e, s;
        syscall(SYS_getresuid, &r, &e, &s); /* this thread's own, not glibc's idea */
        if (r != uid || e != uid || s != uid || (uid_t) syscall(SYS_setfsuid, -1) != uid)
            strcat(why, " not the user any more;");
        snprintf(line, sizeof line, "round %d\n", round);
        if (write(data, line, strlen(line)) != (ssize_t) strlen(line))
            strcat(why, " data.log not writable;");
        snprintf(shared, 64, "after %d", round);
        char back[64] = "";
        int again = open(path, O_RDONLY);
        if (again < 0 || pread(again, back, sizeof back - 1, 0) < 0 || strcmp(back, shared) != 0)
            strcat(why, " the mapping is not the file's any more;");
        if (again >= 0)
            close(again);
        snprintf(line, sizeof line, "%s%s\n", why[0] ? "FAIL" : "PASS", why);
        say(line);
    }
}
