/*
 * The restore husk: a tiny static process that does nothing but wait, so hotvirt can seize it and
 * build restored processes from it by syscall injection (clone3 with set_tid, mmap, ...).
 */
#include <unistd.h>

int main(void) {
    for (;;) pause();
}
