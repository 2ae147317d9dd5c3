/**
 * The open files of a domain as a checkpoint saves them: every fd of every process, grouped into
 * open file descriptions (shared after fork, confirmed with kcmp), each recorded once with one
 * priority process that owns it; pipe data read without consuming it, eventfd counts, unix
 * socket peers.
 */
package io.hotvirt.checkpoint.files;
