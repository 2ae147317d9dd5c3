package io.hotvirt.checkpoint.tree;

import java.util.List;

/** Real, effective, saved and filesystem ids from /proc/PID/status, and the supplementary groups. */
public record Credentials(int uid, int euid, int suid, int fsuid, int gid, int egid, int sgid, int fsgid,
                          List<Integer> groups) {

    public Credentials {
        groups = List.copyOf(groups);
    }

    static Credentials of(List<Integer> uids, List<Integer> gids, List<Integer> groups) {
        if (uids.size() < 4 || gids.size() < 4) {
            throw new IllegalArgumentException("status Uid/Gid lines need 4 values: " + uids + " " + gids);
        }
        return new Credentials(uids.get(0), uids.get(1), uids.get(2), uids.get(3), gids.get(0), gids.get(1),
                gids.get(2), gids.get(3), groups);
    }
}
