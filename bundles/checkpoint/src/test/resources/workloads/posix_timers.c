/*
 * Self-checking POSIX timer workload for the checkpoint/restore tests.
 * usage: posix_timers
 * Creates timer A (CLOCK_MONOTONIC, SIGEV_SIGNAL SIGUSR2 with sival_int 1234, every 20 ms; a
 * handler counts its signals and checks their si_value) and timer B (CLOCK_REALTIME, SIGEV_NONE,
 * one-shot in 1000 s) and timer C (CLOCK_MONOTONIC, SIGEV_THREAD_ID to the main thread, SIGRTMIN,
 * one-shot in 1000 s), prints "TIMERS a=ID b=ID c=ID" and READY. On SIGUSR1 it checks that all
 * IDs still name timers, that A's period is 20 ms, that A fired since the last check with
 * si_value 1234 every time, and that B and C are armed with 900..1000 s left; prints PASS or
 * "FAIL <why>".
 */
#define _GNU_SOURCE
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static volatile sig_atomic_t check;
static volatile long fired;
static volatile long wrong_value;
static timer_t a, b, c;

static void on_usr1(int sig) { (void) sig; check = 1; }

static void on_usr2(int sig, siginfo_t *info, void *ctx) {
    (void) sig; (void) ctx;
    if (info->si_value.sival_int != 1234) wrong_value = info->si_value.sival_int ? info->si_value.sival_int : -1;
    fired++;
}

static const char *check_one_shot(const char *name, const struct itimerspec *s) {
    static char why[256];
    if (s->it_interval.tv_sec != 0 || s->it_interval.tv_nsec != 0) {
        snprintf(why, sizeof why, "%s got a period", name);
        return why;
    }
    if (s->it_value.tv_sec < 900 || s->it_value.tv_sec > 1000 || (s->it_value.tv_sec == 1000 && s->it_value.tv_nsec)) {
        snprintf(why, sizeof why, "%s has %ld.%09ld s left", name, (long) s->it_value.tv_sec, s->it_value.tv_nsec);
        return why;
    }
    return NULL;
}

static const char *verify(long *last) {
    static char why[256];
    struct itimerspec sa, sb, sc;
    if (timer_gettime(a, &sa) != 0) return "timer A is gone";
    if (timer_gettime(b, &sb) != 0) return "timer B is gone";
    if (timer_gettime(c, &sc) != 0) return "timer C is gone";
    if (sa.it_interval.tv_sec != 0 || sa.it_interval.tv_nsec != 20000000) {
        snprintf(why, sizeof why, "A's interval is %ld.%09ld s", (long) sa.it_interval.tv_sec, sa.it_interval.tv_nsec);
        return why;
    }
    struct timespec wait = {0, 100000000};
    while (nanosleep(&wait, &wait) != 0) { }
    if (wrong_value) { snprintf(why, sizeof why, "A's signal had si_value %ld", (long) wrong_value); return why; }
    if (fired <= *last) { snprintf(why, sizeof why, "A did not fire (count %ld)", fired); return why; }
    *last = fired;
    const char *one_shot = check_one_shot("B", &sb);
    return one_shot ? one_shot : check_one_shot("C", &sc);
}

int main(void) {
    setvbuf(stdout, NULL, _IOLBF, 0);
    signal(SIGUSR1, on_usr1);
    struct sigaction act;
    memset(&act, 0, sizeof act);
    act.sa_sigaction = on_usr2;
    act.sa_flags = SA_SIGINFO | SA_RESTART;
    sigaction(SIGUSR2, &act, NULL);

    struct sigevent ea = {0};
    ea.sigev_notify = SIGEV_SIGNAL;
    ea.sigev_signo = SIGUSR2;
    ea.sigev_value.sival_int = 1234;
    struct sigevent eb = {0};
    eb.sigev_notify = SIGEV_NONE;
    struct sigevent ec = {0};
    ec.sigev_notify = SIGEV_THREAD_ID;
    ec.sigev_signo = SIGRTMIN;
    ec.sigev_value.sival_int = 99;
    ec._sigev_un._tid = gettid();
    if (timer_create(CLOCK_MONOTONIC, &ea, &a) != 0 || timer_create(CLOCK_REALTIME, &eb, &b) != 0
            || timer_create(CLOCK_MONOTONIC, &ec, &c) != 0) {
        printf("FAIL timer_create\n");
        return 1;
    }
    struct itimerspec pa = {{0, 20000000}, {0, 20000000}};
    struct itimerspec pb = {{0, 0}, {1000, 0}};
    if (timer_settime(a, 0, &pa, NULL) != 0 || timer_settime(b, 0, &pb, NULL) != 0
            || timer_settime(c, 0, &pb, NULL) != 0) {
        printf("FAIL timer_settime\n");
        return 1;
    }
    printf("TIMERS a=%d b=%d c=%d\n", (int) (long) a, (int) (long) b, (int) (long) c);
    printf("READY\n");
    long last = 0;
    for (;;) {
        pause();
        if (check) {
            check = 0;
            const char *why = verify(&last);
            if (why) printf("FAIL %s\n", why); else printf("PASS\n");
        }
    }
}
