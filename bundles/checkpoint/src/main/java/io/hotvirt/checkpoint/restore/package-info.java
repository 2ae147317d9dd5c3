/**
 * Restoring processes from an image, driven from Java by ptrace syscall injection: a seized husk
 * process, {@code clone3} with {@code set_tid} to recreate each process with its original PID, and
 * the saved memory areas mapped back at their addresses (zero-copy from the page file with
 * MAP_PRIVATE, or copied with process_vm_writev).
 */
package io.hotvirt.checkpoint.restore;
