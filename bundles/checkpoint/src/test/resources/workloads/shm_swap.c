/*
 * Self-checking workload with shared memory objects larger than its memory cgroup's limit, so part
 * of them is in swap.
 * usage: shm_swap MEMFD_MIB ANON_MIB HOLE_MIB
 * Maps a memfd of MEMFD_MIB + HOLE_MIB MiB and ANON_MIB MiB of shared anonymous memory, sets every
 * 8-byte word at byte offset o of each to (o XOR seed) — SEED_MEMFD, SEED_ANON — except the memfd's
 * last HOLE_MIB MiB, never touched (a hole: reads as zeros). Prints
 * "SHM memfd=<hex addr> memfd_len=<bytes> hole_len=<bytes> anon=<hex addr> anon_len=<bytes>" and
 * "READY main <pid>". On SIGUSR1 re-checks both (the hole too) and prints "PASS main" or
 * "FAIL main <what> <offset>".
 */
#define _GNU_SOURCE
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <unistd.h>

#define SEED_ANON 0x3c3c0123456789c3ull
#define SEED_MEMFD 0xc3c3fedcba98763cull

static volatile sig_atomic_t check;

static void on_usr1(int sig) { (void) sig; check = 1; }

static long bad_word(const uint64_t *p, size_t len, uint64_t seed) {
    for (size_t i = 0; i < len / 8; i++) if (p[i] != ((uint64_t) (i * 8) ^ seed)) return (long) (i * 8);
    return -1;
}

static long nonzero_word(const uint64_t *p, size_t len) {
    for (size_t i = 0; i < len / 8; i++) if (p[i] != 0) return (long) (i * 8);
    return -1;
}

int main(int argc, char **argv) {
    if (argc != 4) { fprintf(stderr, "usage: shm_swap MEMFD_MIB ANON_MIB HOLE_MIB\n"); return 2; }
    size_t data = (size_t) atol(argv[1]) << 20, anon_len = (size_t) atol(argv[2]) << 20;
    size_t hole = (size_t) atol(argv[3]) << 20, memfd_len = data + hole;
    int mfd = memfd_create("hotvirt-shmswap", 0);
    if (mfd < 0 || ftruncate(mfd, (off_t) memfd_len) != 0) { perror("memfd"); return 1; }
    uint64_t *mem = mmap(NULL, memfd_len, PROT_READ | PROT_WRITE, MAP_SHARED, mfd, 0);
    uint64_t *anon = mmap(NULL, anon_len, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    if (mem == MAP_FAILED || anon == MAP_FAILED) { perror("mmap"); return 1; }
    close(mfd);
    for (size_t i = 0; i < data / 8; i++) mem[i] = (uint64_t) (i * 8) ^ SEED_MEMFD;
    for (size_t i = 0; i < anon_len / 8; i++) anon[i] = (uint64_t) (i * 8) ^ SEED_ANON;
    signal(SIGUSR1, on_usr1);
    printf("SHM memfd=%lx memfd_len=%zu hole_len=%zu anon=%lx anon_len=%zu\n", (unsigned long) (uintptr_t) mem,
           memfd_len, hole, (unsigned long) (uintptr_t) anon, anon_len);
    printf("READY main %d\n", (int) getpid());
    fflush(stdout);
    for (;;) {
        pause();
        if (check) {
            check = 0;
            long m = bad_word(mem, data, SEED_MEMFD), h = nonzero_word(mem + data / 8, hole);
            long a = bad_word(anon, anon_len, SEED_ANON);
            if (m >= 0) printf("FAIL main memfd %lx\n", m);
            else if (h >= 0) printf("FAIL main hole %lx\n", h);
            else if (a >= 0) printf("FAIL main anon %lx\n", a);
            else printf("PASS main\n");
            fflush(stdout);
        }
    }
}
