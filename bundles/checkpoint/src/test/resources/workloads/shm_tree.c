/*
 * Self-checking shared memory workload for checkpoint tests.
 * usage: shm_tree
 * Before forking, maps 1 MiB of shared anonymous memory and a 512 KiB memfd (MAP_SHARED), and sets
 * every 8-byte word at byte offset o of each to (o XOR seed): SEED_ANON for the anonymous one,
 * SEED_MEMFD for the memfd. The memfd's last 64 KiB are written with pwrite(2), not through the
 * mapping, so no process has them in its page tables. Then forks two children that keep both
 * mapped. Prints "SHM anon=<hex addr> anon_len=<bytes> memfd=<hex addr> memfd_len=<bytes>" and
 * "READY <role> <pid>" per process. On SIGUSR1 a process re-checks both objects through its own
 * mappings and prints "PASS <role>" or "FAIL <role> <what> <offset>".
 */
#define _GNU_SOURCE
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#define ANON_LEN (1u << 20)
#define MEMFD_LEN (512u << 10)
#define PWRITE_LEN (64u << 10)
#define SEED_ANON 0x5a5a0123456789a5ull
#define SEED_MEMFD 0xa5a5fedcba987653ull

static volatile sig_atomic_t check;
static const char *role = "parent";

static void on_usr1(int sig) { (void) sig; check = 1; }

static long bad_word(const uint64_t *p, size_t len, uint64_t seed) {
    for (size_t i = 0; i < len / 8; i++) if (p[i] != ((uint64_t) (i * 8) ^ seed)) return (long) (i * 8);
    return -1;
}

int main(void) {
    uint64_t *anon = mmap(NULL, ANON_LEN, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    if (anon == MAP_FAILED) { perror("mmap anon"); return 1; }
    int mfd = memfd_create("hotvirt-shm", 0);
    if (mfd < 0 || ftruncate(mfd, MEMFD_LEN) != 0) { perror("memfd"); return 1; }
    uint64_t *mem = mmap(NULL, MEMFD_LEN, PROT_READ | PROT_WRITE, MAP_SHARED, mfd, 0);
    if (mem == MAP_FAILED) { perror("mmap memfd"); return 1; }
    for (size_t i = 0; i < ANON_LEN / 8; i++) anon[i] = (uint64_t) (i * 8) ^ SEED_ANON;
    for (size_t i = 0; i < (MEMFD_LEN - PWRITE_LEN) / 8; i++) mem[i] = (uint64_t) (i * 8) ^ SEED_MEMFD;
    static uint64_t tail[PWRITE_LEN / 8];
    for (size_t i = 0; i < PWRITE_LEN / 8; i++) tail[i] = (uint64_t) ((MEMFD_LEN - PWRITE_LEN) + i * 8) ^ SEED_MEMFD;
    if (pwrite(mfd, tail, sizeof tail, MEMFD_LEN - PWRITE_LEN) != (ssize_t) sizeof tail) { perror("pwrite"); return 1; }
    close(mfd); /* the mappings keep the memfd alive */
    signal(SIGUSR1, on_usr1);
    printf("SHM anon=%lx anon_len=%u memfd=%lx memfd_len=%u\n", (unsigned long) (uintptr_t) anon, ANON_LEN,
           (unsigned long) (uintptr_t) mem, MEMFD_LEN);
    fflush(stdout);
    for (int c = 1; c <= 2; c++) {
        pid_t pid = fork();
        if (pid < 0) { perror("fork"); return 1; }
        if (pid == 0) { role = c == 1 ? "child1" : "child2"; break; }
    }
    printf("READY %s %d\n", role, (int) getpid());
    fflush(stdout);
    for (;;) {
        pause();
        if (check) {
            check = 0;
            long a = bad_word(anon, ANON_LEN, SEED_ANON), m = bad_word(mem, MEMFD_LEN, SEED_MEMFD);
            if (a >= 0) printf("FAIL %s anon %lx\n", role, a);
            else if (m >= 0) printf("FAIL %s memfd %lx\n", role, m);
            else printf("PASS %s\n", role);
            fflush(stdout);
        }
    }
}
