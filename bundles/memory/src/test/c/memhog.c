/*
 * memhog: a workload that checks itself, for the memory kernel tests.
 *
 *   memhog MIB DIR
 *
 * Maps MIB MiB of private anonymous memory, fills every 8-byte word with a pattern derived from its
 * offset (so every page differs), writes DIR/ready ("ready PID ADDRESS") and sleeps. On SIGUSR1 it
 * reads all of its memory back (touching pages that were swapped out brings them in again) and
 * writes DIR/check-N: "PASS" or "FAIL ..." with the first wrong offset. SIGTERM ends it.
 */
#define _GNU_SOURCE
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

static volatile sig_atomic_t check_requested;

static void on_usr1(int sig) {
    (void) sig;
    check_requested = 1;
}

static uint64_t pattern(size_t word) {
    return (uint64_t) word * 0x9E3779B97F4A7C15ULL ^ 0x5DEECE66DULL;
}

/* Writes text to DIR/name through a temporary file and rename, so a reader never sees half of it. */
static int publish(const char *dir, const char *name, const char *text) {
    char tmp[4096], path[4096];
    snprintf(tmp, sizeof tmp, "%s/.%s.tmp", dir, name);
    snprintf(path, sizeof path, "%s/%s", dir, name);
    FILE *f = fopen(tmp, "w");
    if (!f) {
        return -1;
    }
    fputs(text, f);
    if (fclose(f) != 0) {
        return -1;
    }
    return rename(tmp, path);
}

int main(int argc, char **argv) {
    if (argc != 3) {
        fprintf(stderr, "usage: memhog MIB DIR\n");
        return 2;
    }
    size_t bytes = (size_t) strtoul(argv[1], NULL, 10) << 20;
    const char *dir = argv[2];
    uint64_t *mem = mmap(NULL, bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (mem == MAP_FAILED) {
        perror("mmap");
        return 1;
    }
    madvise(mem, bytes, MADV_NOHUGEPAGE); /* 4 KiB pages: what the tests count */
    size_t words = bytes / sizeof(uint64_t);
    for (size_t i = 0; i < words; i++) {
        mem[i] = pattern(i);
    }

    sigset_t usr1, old;
    sigemptyset(&usr1);
    sigaddset(&usr1, SIGUSR1);
    sigprocmask(SIG_BLOCK, &usr1, &old);
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_usr1;
    sigaction(SIGUSR1, &sa, NULL);

    char text[256];
    snprintf(text, sizeof text, "ready %d %p\n", (int) getpid(), (void *) mem);
    if (publish(dir, "ready", text) != 0) {
        perror("publish ready");
        return 1;
    }
    for (int round = 1;; round++) {
        while (!check_requested) {
            sigsuspend(&old);
        }
        check_requested = 0;
        size_t bad = words;
        for (size_t i = 0; i < words; i++) {
            if (mem[i] != pattern(i)) {
                bad = i;
                break;
            }
        }
        if (bad == words) {
            snprintf(text, sizeof text, "PASS %zu bytes\n", bytes);
        } else {
            snprintf(text, sizeof text, "FAIL at offset %zu: %016llx\n", bad * 8, (unsigned long long) mem[bad]);
        }
        char name[32];
        snprintf(name, sizeof name, "check-%d", round);
        publish(dir, name, text);
    }
}
