/*
 * Reference for the checkpoint benchmark: a plain memory copy of the same size.
 * usage: memcpy MIB ROUNDS
 * Maps two MIB MiB anonymous buffers (4 KiB pages, like the pattern workload), touches both with
 * memset so no page fault is timed, then memcpy's one into the other ROUNDS times and prints one
 * line per round, "ROUND <n> <nanoseconds>", then "BEST <nanoseconds>"; then it unmaps the
 * destination and copies once more into a fresh, untouched mapping, so that every destination page
 * faults in during the copy (as when a restore writes into new anonymous memory), and prints
 * "FRESH <nanoseconds>" and "DONE".
 */
#define _GNU_SOURCE
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>

static uint64_t now_ns(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t) ts.tv_sec * 1000000000ull + (uint64_t) ts.tv_nsec;
}

int main(int argc, char **argv) {
    if (argc != 3) { fprintf(stderr, "usage: memcpy MIB ROUNDS\n"); return 2; }
    size_t len = (size_t) strtoul(argv[1], NULL, 10) << 20;
    int rounds = atoi(argv[2]);
    unsigned char *src = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    unsigned char *dst = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (src == MAP_FAILED || dst == MAP_FAILED) { perror("mmap"); return 1; }
    madvise(src, len, MADV_NOHUGEPAGE);
    madvise(dst, len, MADV_NOHUGEPAGE);
    memset(src, 0x5a, len);
    memset(dst, 0xa5, len);
    uint64_t best = UINT64_MAX;
    for (int r = 1; r <= rounds; r++) {
        uint64_t t = now_ns();
        memcpy(dst, src, len);
        t = now_ns() - t;
        if (dst[len / 2] != 0x5a) { fprintf(stderr, "copy failed\n"); return 1; }
        printf("ROUND %d %llu\n", r, (unsigned long long) t);
        if (t < best) best = t;
        src[0] ^= 1; /* keep the copies from being optimised away */
    }
    munmap(dst, len);
    dst = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (dst == MAP_FAILED) { perror("mmap"); return 1; }
    madvise(dst, len, MADV_NOHUGEPAGE);
    uint64_t fresh = now_ns();
    memcpy(dst, src, len);
    fresh = now_ns() - fresh;
    if (dst[len / 2] != 0x5a) { fprintf(stderr, "copy failed\n"); return 1; }
    printf("BEST %llu\nFRESH %llu\nDONE\n", (unsigned long long) best, (unsigned long long) fresh);
    fflush(stdout);
    return 0;
}
