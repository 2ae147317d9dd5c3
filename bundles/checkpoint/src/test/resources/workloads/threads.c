/*
 * Self-checking workload for the per-thread kernel registrations glibc makes for every thread:
 * clear_child_tid (pthread_join waits on it), the robust futex list, rseq.
 * usage: threads
 * Starts 3 threads that count and nanosleep; each (and the main thread) records its registrations
 * (PR_GET_TID_ADDRESS, get_robust_list); thread 0 holds a robust mutex. Prints READY. On SIGUSR1:
 *  - every thread checks its registrations are the recorded ones and that the kernel keeps its
 *    rseq area current: moved to each CPU in turn, cpu_id there must be that CPU;
 *  - the threads are asked to stop and joined with pthread_timedjoin_np (no hang when the kernel
 *    never clears and wakes clear_child_tid); thread 0 exits holding the mutex, which the main
 *    thread must then get with EOWNERDEAD (only the kernel's walk of the robust list gives that);
 * then prints PASS or "FAIL <why>; <why> ...".
 */
#define _GNU_SOURCE
#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/rseq.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#define THREADS 3
#define WHY 512

struct rec {
    void *tid_address, *robust_head;
    size_t robust_len;
};

struct worker {
    pthread_t thread;
    int index;
    struct rec rec;
    volatile int started, checked;
    char why[WHY];
};

static volatile sig_atomic_t usr1;
static volatile int check_now, stop_now;
static struct worker workers[THREADS];
static pthread_mutex_t robust;

static void on_usr1(int sig) { (void) sig; usr1 = 1; }

static void record(struct rec *r) {
    prctl(PR_GET_TID_ADDRESS, &r->tid_address);
    syscall(SYS_get_robust_list, 0, &r->robust_head, &r->robust_len);
}

static void add(char *why, size_t size, const char *fmt, ...) {
    size_t n = strlen(why);
    if (n)
        n += snprintf(why + n, size - n, "; ");
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(why + n, size - n, fmt, ap);
    va_end(ap);
}

static void nap(long ns) {
    struct timespec ts = {0, ns};
    nanosleep(&ts, NULL);
}

/* Checks the calling thread; appends what is wrong to why (WHY bytes). */
static void check_self(const struct rec *r, char *why) {
    struct rec now;
    record(&now);
    if (now.tid_address != r->tid_address)
        add(why, WHY, "clear_child_tid %p, was %p", now.tid_address, r->tid_address);
    if (now.robust_head != r->robust_head || now.robust_len != r->robust_len)
        add(why, WHY, "robust list %p, was %p", now.robust_head, r->robust_head);
    if (__rseq_size == 0) {
        add(why, WHY, "glibc registered no rseq area");
        return;
    }
    volatile struct rseq *rs = (volatile struct rseq *) ((char *) __builtin_thread_pointer() + __rseq_offset);
    cpu_set_t all, one;
    sched_getaffinity(0, sizeof all, &all);
    for (int c = 0; c < CPU_SETSIZE; c++) {
        if (!CPU_ISSET(c, &all))
            continue;
        CPU_ZERO(&one);
        CPU_SET(c, &one);
        rs->cpu_id_start = 0xfffffff0u; /* the kernel overwrites it when it updates the area */
        if (sched_setaffinity(0, sizeof one, &one) != 0)
            continue;
        nap(1000000);
        unsigned cpu = ~0u;
        syscall(SYS_getcpu, &cpu, NULL, NULL);
        if (cpu != (unsigned) c || rs->cpu_id != cpu || rs->cpu_id_start != cpu)
            add(why, WHY, "rseq area says cpu %d, the thread is on cpu %u", (int) rs->cpu_id_start, cpu);
    }
    sched_setaffinity(0, sizeof all, &all);
}

static void *work(void *arg) {
    struct worker *w = arg;
    sigset_t s;
    sigemptyset(&s);
    sigaddset(&s, SIGUSR1);
    pthread_sigmask(SIG_BLOCK, &s, NULL); /* SIGUSR1 goes to the main thread */
    record(&w->rec);
    if (w->index == 0)
        pthread_mutex_lock(&robust);
    w->started = 1;
    while (!stop_now) {
        if (check_now && !w->checked) {
            check_self(&w->rec, w->why);
            __sync_synchronize();
            w->checked = 1;
        }
        nap(2000000);
    }
    return NULL; /* thread 0 dies holding the robust mutex */
}

static struct timespec in_seconds(int s) {
    struct timespec t;
    clock_gettime(CLOCK_REALTIME, &t);
    t.tv_sec += s;
    return t;
}

int main(void) {
    setvbuf(stdout, NULL, _IONBF, 0);
    pthread_mutexattr_t a;
    pthread_mutexattr_init(&a);
    pthread_mutexattr_setrobust(&a, PTHREAD_MUTEX_ROBUST);
    pthread_mutex_init(&robust, &a);

    sigset_t usr1set, empty;
    sigemptyset(&usr1set);
    sigaddset(&usr1set, SIGUSR1);
    sigemptyset(&empty);
    sigprocmask(SIG_BLOCK, &usr1set, NULL);
    signal(SIGUSR1, on_usr1);

    struct rec mine;
    record(&mine);
    for (int i = 0; i < THREADS; i++) {
        workers[i].index = i;
        if (pthread_create(&workers[i].thread, NULL, work, &workers[i]) != 0) {
            printf("FAIL pthread_create\n");
            return 1;
        }
    }
    for (int i = 0; i < THREADS; i++)
        while (!workers[i].started)
            nap(1000000);
    printf("READY %d threads\n", THREADS);

    while (!usr1)
        sigsuspend(&empty);

    char why[4 * WHY] = "";
    check_self(&mine, why);
    check_now = 1;
    for (int i = 0; i < THREADS; i++) {
        for (int ms = 0; !workers[i].checked && ms < 5000; ms++)
            nap(1000000);
        if (!workers[i].checked)
            add(why, sizeof why, "thread %d did not check itself", i);
        else if (workers[i].why[0])
            add(why, sizeof why, "thread %d: %s", i, workers[i].why);
    }
    stop_now = 1;
    for (int i = 0; i < THREADS; i++) {
        struct timespec t = in_seconds(3);
        int e = pthread_timedjoin_np(workers[i].thread, NULL, &t);
        if (e != 0)
            add(why, sizeof why, "pthread_join of thread %d: %s", i, strerror(e));
    }
    struct timespec t = in_seconds(2);
    int e = pthread_mutex_timedlock(&robust, &t);
    if (e != EOWNERDEAD)
        add(why, sizeof why, "robust mutex of the dead thread 0: %s", e ? strerror(e) : "locked, not EOWNERDEAD");
    if (why[0])
        printf("FAIL %s\n", why);
    else
        printf("PASS\n");
    for (;;)
        pause();
}
