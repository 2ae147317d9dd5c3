/*
 * Self-checking privileges workload: as root it drops CAP_SYS_MODULE from its bounding set, keeps
 * its capabilities across setresuid/setresgid to 65534 (nobody), narrows them to CAP_KILL and
 * CAP_NET_BIND_SERVICE (effective and permitted, nothing inheritable), sets no_new_privs, then
 * starts a thread (which inherits all of it) and prints "READY <tid>". On SIGUSR1 the main thread
 * checks, for itself and for the thread, uids, gids, CapEff, CapPrm, CapInh, CapBnd's CAP_SYS_MODULE
 * bit and NoNewPrivs in /proc/self/task/TID/status, and that the process is still dumpable (it made
 * itself so again after dropping root, as a service manager's child would be), and prints PASS or
 * "FAIL <what>".
 */
#define _GNU_SOURCE
#include <grp.h>
#include <linux/capability.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

static volatile sig_atomic_t check;
static volatile pid_t thread_tid;
static const unsigned long long KEPT = (1ULL << CAP_KILL) | (1ULL << CAP_NET_BIND_SERVICE);

static void on_usr1(int sig) { (void) sig; check = 1; }

static void *idle(void *arg) {
    (void) arg;
    thread_tid = (pid_t) syscall(SYS_gettid);
    for (;;) pause();
    return NULL;
}

static unsigned long long field(const char *status, const char *name) {
    const char *p = strstr(status, name);
    return p ? strtoull(p + strlen(name), NULL, 16) : ~0ULL;
}

/* NULL when the task's status is as set up, else what differs */
static const char *verify(pid_t tid) {
    static char status[8192];
    char path[64];
    snprintf(path, sizeof path, "/proc/self/task/%d/status", (int) tid);
    FILE *f = fopen(path, "r");
    if (!f) return "no status";
    size_t n = fread(status, 1, sizeof status - 1, f);
    fclose(f);
    status[n] = 0;
    if (!strstr(status, "Uid:\t65534\t65534\t65534\t65534")) return "uids";
    if (!strstr(status, "Gid:\t65534\t65534\t65534\t65534")) return "gids";
    if (field(status, "CapEff:\t") != KEPT) return "CapEff";
    if (field(status, "CapPrm:\t") != KEPT) return "CapPrm";
    if (field(status, "CapInh:\t") != 0) return "CapInh";
    if (field(status, "CapBnd:\t") & (1ULL << CAP_SYS_MODULE)) return "CapBnd";
    if (!strstr(status, "NoNewPrivs:\t1")) return "NoNewPrivs";
    if (prctl(PR_GET_DUMPABLE, 0, 0, 0, 0) != 1) return "dumpable";
    return NULL;
}

int main(void) {
    if (prctl(PR_CAPBSET_DROP, CAP_SYS_MODULE, 0, 0, 0) || prctl(PR_SET_KEEPCAPS, 1, 0, 0, 0)
            || setgroups(0, NULL) || setresgid(65534, 65534, 65534) || setresuid(65534, 65534, 65534)) {
        perror("setup");
        return 1;
    }
    struct __user_cap_header_struct h = {_LINUX_CAPABILITY_VERSION_3, 0};
    struct __user_cap_data_struct d[2] = {{(unsigned) KEPT, (unsigned) KEPT, 0}, {0, 0, 0}};
    if (syscall(SYS_capset, &h, d) || prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) || prctl(PR_SET_DUMPABLE, 1, 0, 0, 0)) {
        perror("capset");
        return 1;
    }
    signal(SIGUSR1, on_usr1);
    /* SIGUSR1 is for the main thread, which pauses for it: the thread is born with it blocked */
    sigset_t usr1set;
    sigemptyset(&usr1set);
    sigaddset(&usr1set, SIGUSR1);
    pthread_sigmask(SIG_BLOCK, &usr1set, NULL);
    pthread_t t;
    pthread_create(&t, NULL, idle, NULL);
    pthread_sigmask(SIG_UNBLOCK, &usr1set, NULL);
    while (thread_tid == 0) usleep(1000);
    const char *why = verify(getpid());
    if (!why) why = verify(thread_tid);
    if (why) { printf("FAIL before %s\n", why); fflush(stdout); return 1; }
    printf("READY %d\n", (int) thread_tid);
    fflush(stdout);
    for (;;) {
        pause();
        if (check) {
            check = 0;
            why = verify(getpid());
            if (!why) why = verify(thread_tid);
            if (why) printf("FAIL %s\n", why); else printf("PASS\n");
            fflush(stdout);
        }
    }
}
