/**
 * Saving a stopped process's memory by following its page table: resident pages first through
 * process_vm_readv, then swapped pages straight from the swap area with O_DIRECT, so a checkpoint
 * never swaps a page back in.
 */
package io.hotvirt.checkpoint.memory;
