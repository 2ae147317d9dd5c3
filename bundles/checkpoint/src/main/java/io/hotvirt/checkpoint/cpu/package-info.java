/** The CPU state of each stopped thread: general registers, fs/gs base and the XSAVE area. */
package io.hotvirt.checkpoint.cpu;
