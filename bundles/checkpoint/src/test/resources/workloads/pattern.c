/*
 * Self-checking memory workload for checkpoint tests.
 * usage: pattern MIB SEED
 * Maps MIB MiB of private anonymous memory, sets every 8-byte word to (its address XOR SEED),
 * prints "BUF <hex address> <bytes>" and "READY", then waits. On SIGUSR1 it re-checks the whole
 * buffer and prints PASS or "FAIL <address>": the checkpoint must not have changed its memory.
 * On SIGUSR2 it prints "ALIVE" at once, from the handler, without touching the buffer: a cheap
 * probe that it runs (the restore benchmark times it).
 */
#define _GNU_SOURCE
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <unistd.h>

static volatile sig_atomic_t check;

static void on_usr1(int sig) { (void) sig; check = 1; }

static void on_usr2(int sig) { (void) sig; static const char a[] = "ALIVE\n"; ssize_t n = write(1, a, sizeof a - 1); (void) n; }

int main(int argc, char **argv) {
    if (argc != 3) { fprintf(stderr, "usage: pattern MIB SEED\n"); return 2; }
    size_t len = (size_t) strtoul(argv[1], NULL, 10) << 20;
    uint64_t seed = strtoull(argv[2], NULL, 0);
    uint64_t *buf = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (buf == MAP_FAILED) { perror("mmap"); return 1; }
    madvise(buf, len, MADV_NOHUGEPAGE); /* 4 KiB pages: swap and pagemap per page, as in the field */
    size_t words = len / 8;
    for (size_t i = 0; i < words; i++) buf[i] = (uint64_t) (uintptr_t) &buf[i] ^ seed;
    signal(SIGUSR1, on_usr1);
    signal(SIGUSR2, on_usr2);
    printf("BUF %lx %zu\nREADY\n", (unsigned long) (uintptr_t) buf, len);
    fflush(stdout);
    for (;;) {
        pause();
        if (check) {
            check = 0;
            size_t bad = words;
            for (size_t i = 0; i < words; i++) if (buf[i] != ((uint64_t) (uintptr_t) &buf[i] ^ seed)) { bad = i; break; }
            if (bad == words) printf("PASS\n"); else printf("FAIL %lx\n", (unsigned long) (uintptr_t) &buf[bad]);
            fflush(stdout);
        }
    }
}
