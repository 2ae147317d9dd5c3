/*
 * Self-checking workload for a thread stopped inside an rseq critical section.
 * usage: rseq_cs
 * A spinner thread enters, again and again, a critical section that never commits (it jumps to
 * itself) on glibc's rseq area: only the kernel leaves it, by moving the thread to the abort
 * handler, which counts the abort and enters again. The main thread sends the spinner a signal
 * every 10 ms (a signal delivered in a critical section aborts it). Prints READY once aborts are
 * counted. A checkpoint then almost surely stops the spinner inside the section; the saved (and
 * the live, with --leave-running) thread must go on at the abort handler, as the kernel would have
 * sent it. Resumed inside the section with the section descriptor cleared instead (what syscall
 * injection does to it), it would spin there for good. On SIGUSR1: aborts must still be counted
 * over the next 500 ms; prints PASS or "FAIL <why>".
 */
#define _GNU_SOURCE
#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/rseq.h>
#include <time.h>
#include <unistd.h>

static volatile uint64_t aborts;
static volatile sig_atomic_t usr1;

static void on_usr1(int sig) { (void) sig; usr1 = 1; }
static void on_usr2(int sig) { (void) sig; }

static void *spin(void *arg) {
    (void) arg;
    /* struct rseq: u32 cpu_id_start, u32 cpu_id, u64 rseq_cs, ... */
    volatile uint64_t *cs = (volatile uint64_t *) ((char *) __builtin_thread_pointer() + __rseq_offset + 8);
    for (;;) {
        __asm__ __volatile__(
            ".pushsection __rseq_cs, \"aw\"\n\t"
            ".balign 32\n\t"
            "3: .long 0, 0\n\t"
            ".quad 1f, 2f - 1f, 4f\n\t"
            ".popsection\n\t"
            "leaq 3b(%%rip), %%rax\n\t"
            "movq %%rax, %[cs]\n\t"
            "1: jmp 1b\n\t"             /* the critical section: never commits */
            "2:\n\t"
            ".long 0x53053053\n\t"      /* RSEQ_SIG, glibc's signature, right before the abort handler */
            "4:\n\t"
            : [cs] "=m" (*cs) : : "rax", "memory");
        aborts++;
    }
    return NULL;
}

static uint64_t count_over(pthread_t t, int millis) {
    uint64_t before = aborts;
    struct timespec ten = {0, 10 * 1000 * 1000};
    for (int i = 0; i < millis / 10; i++) {
        pthread_kill(t, SIGUSR2);
        nanosleep(&ten, NULL);
    }
    return aborts - before;
}

int main(void) {
    setvbuf(stdout, NULL, _IOLBF, 0);
    if (__rseq_size == 0) {
        printf("FAIL glibc registered no rseq area\n");
        return 1;
    }
    signal(SIGUSR1, on_usr1);
    struct sigaction sa = {0};
    sa.sa_handler = on_usr2;
    sa.sa_flags = SA_RESTART;
    sigaction(SIGUSR2, &sa, NULL);
    pthread_t t;
    pthread_create(&t, NULL, spin, NULL);
    if (count_over(t, 200) == 0) {
        printf("FAIL the critical section was never aborted before the checkpoint\n");
        return 1;
    }
    printf("READY\n");
    for (;;) {
        count_over(t, 10);
        if (usr1) {
            usr1 = 0;
            uint64_t n = count_over(t, 500);
            if (n > 0)
                printf("PASS %llu aborts in 500 ms\n", (unsigned long long) n);
            else
                printf("FAIL the spinner is stuck in its critical section: no abort in 500 ms\n");
        }
    }
}
