/*
 * Workload for the swap zeromap (Linux 6.12+: a zero-filled page is not written to swap, its slot
 * is marked in the area's zeromap and keeps whatever was written there before).
 * usage: zero_swap MIB ZERO_MIB
 * Fills MIB MiB of private anonymous memory with (address XOR SEED) words, pages it all out
 * (MADV_PAGEOUT), swaps the first ZERO_MIB MiB back in with a read of each page (the swap cache
 * keeps their slots), zero-fills them and pages everything out again: those pages go back to the
 * slots that hold the pattern, as zeromap entries. Prints "ZERO addr=<hex> len=<bytes>
 * zero_len=<bytes>" and "READY main <pid>". On SIGUSR1 checks zeros then pattern and prints
 * "PASS main" or "FAIL main <offset>".
 */
#define _GNU_SOURCE
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#ifndef MADV_PAGEOUT
#define MADV_PAGEOUT 21
#endif
#define SEED 0x7e7e13579bdf2468ull

static volatile sig_atomic_t check;

static void on_usr1(int sig) { (void) sig; check = 1; }

int main(int argc, char **argv) {
    if (argc != 3) { fprintf(stderr, "usage: zero_swap MIB ZERO_MIB\n"); return 2; }
    size_t len = (size_t) atol(argv[1]) << 20, zero = (size_t) atol(argv[2]) << 20;
    uint64_t *buf = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (buf == MAP_FAILED) { perror("mmap"); return 1; }
    for (size_t i = 0; i < len / 8; i++) buf[i] = (uint64_t) (uintptr_t) &buf[i] ^ SEED;
    if (madvise(buf, len, MADV_PAGEOUT) != 0) { perror("madvise"); return 1; }
    uint64_t sum = 0;
    for (size_t o = 0; o < zero; o += 4096) sum += *(volatile uint64_t *) ((char *) buf + o);
    memset(buf, 0, zero);
    if (madvise(buf, len, MADV_PAGEOUT) != 0) { perror("madvise"); return 1; }
    signal(SIGUSR1, on_usr1);
    printf("ZERO addr=%lx len=%zu zero_len=%zu sum=%lx\n", (unsigned long) (uintptr_t) buf, len, zero,
           (unsigned long) sum);
    printf("READY main %d\n", (int) getpid());
    fflush(stdout);
    for (;;) {
        pause();
        if (check) {
            check = 0;
            long bad = -1;
            for (size_t i = 0; i < len / 8 && bad < 0; i++) {
                uint64_t want = i * 8 < zero ? 0 : (uint64_t) (uintptr_t) &buf[i] ^ SEED;
                if (buf[i] != want) bad = (long) (i * 8);
            }
            if (bad >= 0) printf("FAIL main %lx\n", bad);
            else printf("PASS main\n");
            fflush(stdout);
        }
    }
}
