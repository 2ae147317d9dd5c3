package io.hotvirt.linux.process;

import com.sun.jna.Pointer;
import com.sun.jna.ptr.IntByReference;
import io.hotvirt.linux.jna.LibC;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * Who a spawned command runs as, as a login would set it: the user's uid, a gid (the user's own
 * unless a group is named) and the user's supplementary groups.
 *
 * @param user   the user's name, as the user database knows it
 * @param uid    the user id
 * @param gid    the primary group id
 * @param groups the supplementary group ids (the user's groups, with {@code gid})
 * @param home   the user's home directory, for $HOME
 */
public record RunAs(String user, int uid, int gid, List<Integer> groups, String home) {

    /** getpwnam and friends share static buffers. */
    private static final Object DATABASE = new Object();

    public RunAs {
        groups = List.copyOf(groups);
    }

    /**
     * Looks up {@code USER[:GROUP]}, each a name or a number, in the user and group databases.
     *
     * @throws IllegalArgumentException naming the unknown user or group
     */
    public static RunAs lookup(String spec) {
        if (spec == null || spec.isBlank()) {
            throw new IllegalArgumentException("no user given: --user USER[:GROUP]");
        }
        int colon = spec.indexOf(':');
        String userPart = colon < 0 ? spec : spec.substring(0, colon);
        String groupPart = colon < 0 ? null : spec.substring(colon + 1);
        if (userPart.isEmpty() || (groupPart != null && groupPart.isEmpty())) {
            throw new IllegalArgumentException("--user " + spec + ": expected USER or USER:GROUP, e.g. --user nobody:nogroup");
        }
        LibC c = LibC.INSTANCE;
        synchronized (DATABASE) {
            Pointer pw = isNumber(userPart) ? c.getpwuid(Integer.parseInt(userPart)) : c.getpwnam(userPart);
            if (pw == null) {
                throw new IllegalArgumentException("unknown user '" + userPart + "': no such user in the user database"
                        + " (getent passwd " + userPart + " shows nothing); create it or name an existing one");
            }
            String name = pw.getPointer(0).getString(0);
            int uid = pw.getInt(LibC.PASSWD_UID_OFFSET);
            int gid = pw.getInt(LibC.PASSWD_GID_OFFSET);
            Pointer dir = pw.getPointer(LibC.PASSWD_DIR_OFFSET);
            String home = dir == null ? "/" : dir.getString(0);
            if (groupPart != null) {
                Pointer gr = isNumber(groupPart) ? c.getgrgid(Integer.parseInt(groupPart)) : c.getgrnam(groupPart);
                if (gr == null) {
                    throw new IllegalArgumentException("unknown group '" + groupPart + "': no such group in the group"
                            + " database (getent group " + groupPart + " shows nothing)");
                }
                gid = gr.getInt(LibC.GROUP_GID_OFFSET);
            }
            return new RunAs(name, uid, gid, groupList(c, name, gid), home);
        }
    }

    private static List<Integer> groupList(LibC c, String user, int gid) {
        int[] groups = new int[64];
        IntByReference count = new IntByReference(groups.length);
        if (c.getgrouplist(user, gid, groups, count) < 0) {
            groups = new int[count.getValue()];
            count.setValue(groups.length);
            c.getgrouplist(user, gid, groups, count);
        }
        Set<Integer> out = new LinkedHashSet<>();
        for (int i = 0; i < Math.min(count.getValue(), groups.length); i++) {
            out.add(groups[i]);
        }
        return new ArrayList<>(out);
    }

    private static boolean isNumber(String s) {
        return s.chars().allMatch(Character::isDigit) && s.length() < 10;
    }
}
