package io.hotvirt.linux.cgroup;

/**
 * Which cgroup interface hotvirt drives. A hybrid machine (v1 controller hierarchies plus a
 * cgroup2 mount, as systemd's "hybrid" layout) is V1: its v2 tree has no useful controllers.
 */
public enum CgroupMode {
    /** One hierarchy per controller (or group of controllers), e.g. /sys/fs/cgroup/cpu. */
    V1,
    /** One unified hierarchy, usually at /sys/fs/cgroup. */
    V2
}
