/*
 * Self-checking workload for a stopped process (job control).
 * usage: stopped
 * The parent forks a child that fills a buffer with a pattern and stops itself with SIGSTOP. Once
 * the parent sees it stopped (waitpid WUNTRACED) it prints "READY parent=P child=C" and waits for
 * the child's exit. The child, continued, checks that SIGCONT (and nothing else) woke it, by its
 * SIGCONT handler, and that its pattern is intact, and exits 0 if so. The parent then prints PASS,
 * or "FAIL <why>".
 */
#define _GNU_SOURCE
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#define WORDS (64 * 1024)

static volatile sig_atomic_t continued;
static unsigned long pattern[WORDS];

static void on_cont(int sig) { (void) sig; continued = 1; }

static int child(void) {
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_cont;
    sigaction(SIGCONT, &sa, NULL);
    for (unsigned long i = 0; i < WORDS; i++) {
        pattern[i] = i * 0x9e3779b97f4a7c15UL + 7;
    }
    raise(SIGSTOP);
    if (!continued) {
        return 2; /* woke without SIGCONT */
    }
    for (unsigned long i = 0; i < WORDS; i++) {
        if (pattern[i] != i * 0x9e3779b97f4a7c15UL + 7) {
            return 3;
        }
    }
    return 0;
}

int main(void) {
    setvbuf(stdout, NULL, _IOLBF, 0);
    pid_t c = fork();
    if (c < 0) {
        printf("FAIL fork\n");
        return 1;
    }
    if (c == 0) {
        _exit(child());
    }
    int status;
    if (waitpid(c, &status, WUNTRACED) != c || !WIFSTOPPED(status)) {
        printf("FAIL the child did not stop (status %#x)\n", status);
        return 1;
    }
    printf("READY parent=%d child=%d\n", (int) getpid(), (int) c);
    while (waitpid(c, &status, 0) < 0) {
        /* EINTR */
    }
    if (WIFEXITED(status) && WEXITSTATUS(status) == 0) {
        printf("PASS\n");
        return 0;
    }
    if (WIFEXITED(status)) {
        printf("FAIL the child exited with %d (2: woke without SIGCONT, 3: pattern changed)\n", WEXITSTATUS(status));
    } else {
        printf("FAIL the child ended with status %#x\n", status);
    }
    return 1;
}
