/*
 * Self-checking signal/thread workload for the freezer, register and signal dump tests.
 * usage: signals
 * Installs a SIGUSR1 handler (SA_RESTART|SA_SIGINFO), ignores SIGUSR2, blocks SIGINT and
 * SIGRTMIN+2 in every thread, sets a sigaltstack on the main thread, arms ITIMER_REAL (100 s,
 * interval 100 s), queues SIGINT to the main thread and SIGRTMIN+2 twice (value 42, 43) to the
 * process (both stay pending, being blocked), starts 3 threads (spinning, nanosleeping, polling)
 * and prints HANDLER, ALTSTACK, SIGRT and READY lines. On SIGUSR1 the main thread checks that its
 * threads still run and that its signal state is unchanged, and prints PASS or "FAIL <why>".
 */
#define _GNU_SOURCE
#include <poll.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#define ALT_SIZE (64 * 1024)

static volatile sig_atomic_t check;
static volatile uint64_t counters[3];
static char altstack[ALT_SIZE];

static void on_usr1(int sig, siginfo_t *info, void *ctx) { (void) sig; (void) info; (void) ctx; check = 1; }

static void block_usr1(void) {
    sigset_t s;
    sigemptyset(&s);
    sigaddset(&s, SIGUSR1);
    pthread_sigmask(SIG_BLOCK, &s, NULL); /* SIGUSR1 goes to the main thread */
}

static void *spin(void *arg) {
    (void) arg;
    block_usr1();
    for (;;) counters[0]++;
    return NULL;
}

static void *nap(void *arg) {
    (void) arg;
    block_usr1();
    struct timespec ts = {0, 1000000};
    for (;;) { nanosleep(&ts, NULL); counters[1]++; }
    return NULL;
}

static void *poller(void *arg) {
    (void) arg;
    block_usr1();
    for (;;) { poll(NULL, 0, 2); counters[2]++; }
    return NULL;
}

static const char *verify(void) {
    static char why[256];
    uint64_t before[3];
    for (int i = 0; i < 3; i++) before[i] = counters[i];
    struct timespec ts = {0, 100000000};
    nanosleep(&ts, NULL);
    for (int i = 0; i < 3; i++)
        if (counters[i] == before[i]) { snprintf(why, sizeof why, "thread %d stopped", i); return why; }
    struct sigaction sa;
    sigaction(SIGUSR1, NULL, &sa);
    if (sa.sa_sigaction != on_usr1 || !(sa.sa_flags & SA_RESTART) || !(sa.sa_flags & SA_SIGINFO)) return "SIGUSR1 action";
    sigaction(SIGUSR2, NULL, &sa);
    if (sa.sa_handler != SIG_IGN) return "SIGUSR2 not ignored";
    sigset_t mask;
    pthread_sigmask(SIG_BLOCK, NULL, &mask);
    if (!sigismember(&mask, SIGINT) || !sigismember(&mask, SIGRTMIN + 2)) return "mask";
    sigset_t pending;
    sigpending(&pending);
    if (!sigismember(&pending, SIGINT) || !sigismember(&pending, SIGRTMIN + 2)) return "pending signals lost";
    stack_t ss;
    sigaltstack(NULL, &ss);
    if (ss.ss_sp != altstack || ss.ss_size != ALT_SIZE) return "sigaltstack";
    struct itimerval it;
    getitimer(ITIMER_REAL, &it);
    if (it.it_value.tv_sec < 50 || it.it_interval.tv_sec != 100) return "itimer";
    return NULL;
}

int main(void) {
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_sigaction = on_usr1;
    sa.sa_flags = SA_RESTART | SA_SIGINFO;
    sigaction(SIGUSR1, &sa, NULL);
    signal(SIGUSR2, SIG_IGN);

    sigset_t block;
    sigemptyset(&block);
    sigaddset(&block, SIGINT);
    sigaddset(&block, SIGRTMIN + 2);
    sigprocmask(SIG_BLOCK, &block, NULL);

    stack_t ss = {.ss_sp = altstack, .ss_size = ALT_SIZE, .ss_flags = 0};
    if (sigaltstack(&ss, NULL) != 0) { perror("sigaltstack"); return 1; }

    struct itimerval it = {{100, 0}, {100, 0}};
    setitimer(ITIMER_REAL, &it, NULL);

    syscall(SYS_tgkill, getpid(), syscall(SYS_gettid), SIGINT); /* pending for the main thread only */
    union sigval v;
    v.sival_int = 42;
    sigqueue(getpid(), SIGRTMIN + 2, v); /* pending for the process, twice (real-time signals queue) */
    v.sival_int = 43;
    sigqueue(getpid(), SIGRTMIN + 2, v);

    pthread_t t[3];
    pthread_create(&t[0], NULL, spin, NULL);
    pthread_create(&t[1], NULL, nap, NULL);
    pthread_create(&t[2], NULL, poller, NULL);
    /* READY only once every thread runs its loop: a thread still starting has every signal blocked */
    while (counters[0] == 0 || counters[1] == 0 || counters[2] == 0) sched_yield();

    printf("HANDLER %lx\nALTSTACK %lx %d\nSIGRT %d\nREADY\n", (unsigned long) (uintptr_t) on_usr1,
           (unsigned long) (uintptr_t) altstack, ALT_SIZE, SIGRTMIN + 2);
    fflush(stdout);
    for (;;) {
        pause();
        if (check) {
            check = 0;
            const char *why = verify();
            if (why == NULL) printf("PASS\n"); else printf("FAIL %s\n", why);
            fflush(stdout);
        }
    }
}
