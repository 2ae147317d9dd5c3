/*
 * Self-checking workload that keeps busy in every way a checkpoint may catch a thread: spinning in
 * user space, sleeping in nanosleep (a restartable syscall), blocking in read on a pipe fed by a
 * writer thread, and taking SIGALRM from a 1 ms interval timer; plus a child process counting in
 * shared memory. Each thread also checks a private buffer it filled with a pattern.
 * usage: busy_tree [SLEEPERS]
 * SLEEPERS more threads (default 0) sleep and count, each a thread more for a checkpoint to stop
 * and inject into. Prints "READY <child pid>". On SIGUSR1 prints "PASS <round>" when every thread, the timer's
 * handler and the child have made progress since the previous SIGUSR1 and every buffer is intact,
 * else "FAIL <round> <why>". A thread killed by a stray SIGTRAP, or one left stopped, fails it.
 */
#define _GNU_SOURCE
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#define BUF (256 * 1024)
#define MAX_SLEEPERS 256

enum { SPIN, SLEEP, WRITE, READ, WORKERS };
static const char *names[WORKERS] = {"spinner", "sleeper", "writer", "reader"};

static volatile unsigned long counts[WORKERS], ticks, sleeper_counts[MAX_SLEEPERS];
static volatile int corrupt[WORKERS];
static volatile unsigned long *child_count;
static volatile sig_atomic_t usr1;
static int pipefd[2];

static void on_alrm(int sig) { (void) sig; ticks++; }
static void on_usr1(int sig) { (void) sig; usr1 = 1; }

static void fill(unsigned char *b, int seed) {
    for (int i = 0; i < BUF; i++)
        b[i] = (unsigned char) (i * 31 + seed);
}

static int intact(const unsigned char *b, int seed) {
    for (int i = 0; i < BUF; i++)
        if (b[i] != (unsigned char) (i * 31 + seed))
            return 0;
    return 1;
}

static void *sleep_and_count(void *arg) {
    struct timespec nap = {0, 300 * 1000};
    for (;;) {
        nanosleep(&nap, NULL);
        sleeper_counts[(long) arg]++;
    }
    return NULL;
}

static void *work(void *arg) {
    int me = (int) (long) arg;
    unsigned char *b = malloc(BUF);
    fill(b, me);
    struct timespec nap = {0, 200 * 1000};
    char byte = 'x';
    for (unsigned long n = 0;; n++) {
        switch (me) {
        case SPIN:
            for (volatile int i = 0; i < 20000; i++)
                ;
            break;
        case SLEEP:
            nanosleep(&nap, NULL);
            break;
        case WRITE:
            if (write(pipefd[1], &byte, 1) != 1)
                corrupt[me] = 1;
            nanosleep(&nap, NULL);
            break;
        case READ:
            if (read(pipefd[0], &byte, 1) != 1)
                corrupt[me] = 1;
            break;
        }
        counts[me]++;
        if (n % 64 == 0 && !intact(b, me))
            corrupt[me] = 1;
    }
    return NULL;
}

int main(int argc, char **argv) {
    setvbuf(stdout, NULL, _IOLBF, 0);
    int sleepers = argc > 1 ? atoi(argv[1]) : 0;
    if (sleepers < 0 || sleepers > MAX_SLEEPERS) {
        printf("FAIL 0 usage: busy_tree [0..%d]\n", MAX_SLEEPERS);
        return 1;
    }
    child_count = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    if (child_count == MAP_FAILED || pipe(pipefd) != 0) {
        printf("FAIL 0 setup\n");
        return 1;
    }
    pid_t child = fork();
    if (child == 0) {
        struct timespec nap = {0, 500 * 1000};
        for (;;) {
            nanosleep(&nap, NULL);
            (*child_count)++;
        }
    }

    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGALRM);
    sigaddset(&set, SIGUSR1);
    pthread_sigmask(SIG_BLOCK, &set, NULL); // the workers are born with both blocked: only main takes them
    pthread_t threads[WORKERS];
    for (long i = 0; i < WORKERS; i++)
        pthread_create(&threads[i], NULL, work, (void *) i);
    for (long i = 0; i < sleepers; i++) {
        pthread_t t;
        pthread_create(&t, NULL, sleep_and_count, (void *) i);
    }
    struct sigaction sa = {0};
    sa.sa_handler = on_alrm;
    sa.sa_flags = SA_RESTART;
    sigaction(SIGALRM, &sa, NULL);
    sa.sa_handler = on_usr1;
    sigaction(SIGUSR1, &sa, NULL);
    struct itimerval every_ms = {{0, 1000}, {0, 1000}};
    setitimer(ITIMER_REAL, &every_ms, NULL);
    pthread_sigmask(SIG_UNBLOCK, &set, NULL);
    for (int started = 0; !started;) { // ready once everything has counted: a first check must see progress
        started = ticks > 0 && *child_count > 0;
        for (int i = 0; i < WORKERS; i++)
            started = started && counts[i] > 0;
        for (int i = 0; i < sleepers; i++)
            started = started && sleeper_counts[i] > 0;
        if (!started)
            pause();
    }
    printf("READY %d\n", (int) child);

    unsigned long seen[WORKERS] = {0}, seen_ticks = 0, seen_child = 0, seen_sleepers[MAX_SLEEPERS] = {0};
    for (int round = 1;; round++) {
        while (!usr1)
            pause();
        usr1 = 0;
        char why[512] = "";
        for (int i = 0; i < WORKERS; i++) {
            if (counts[i] == seen[i])
                snprintf(why + strlen(why), sizeof why - strlen(why), " %s-stuck", names[i]);
            if (corrupt[i])
                snprintf(why + strlen(why), sizeof why - strlen(why), " %s-corrupt", names[i]);
            seen[i] = counts[i];
        }
        for (int i = 0; i < sleepers; i++) {
            if (sleeper_counts[i] == seen_sleepers[i])
                snprintf(why + strlen(why), sizeof why - strlen(why), " sleeper%d-stuck", i);
            seen_sleepers[i] = sleeper_counts[i];
        }
        if (ticks == seen_ticks)
            snprintf(why + strlen(why), sizeof why - strlen(why), " timer-stuck");
        if (*child_count == seen_child)
            snprintf(why + strlen(why), sizeof why - strlen(why), " child-stuck");
        seen_ticks = ticks;
        seen_child = *child_count;
        if (why[0])
            printf("FAIL %d%s\n", round, why);
        else
            printf("PASS %d\n", round);
    }
}
