/**
 * The process tree of a domain as a checkpoint saves it: per process its identity (pid, ppid,
 * pgid, sid, threads), credentials, cwd, root, umask, rlimits, comm, exe and mm fields, read from
 * /proc of stopped processes and ordered parents first.
 */
package io.hotvirt.checkpoint.tree;
