package io.hotvirt.checkpoint.files;

/**
 * What stat(2) of {@code /proc/PID/fd/N} says about the file, plus its mount.
 *
 * @param dev  st_dev, the kernel's encoding (major = bits 8..19 and 32..43)
 * @param ino  st_ino
 * @param mode st_mode (type and permission bits)
 * @param rdev st_rdev for a device, else 0
 * @param size st_size
 * @param mntId the mount id from fdinfo (see /proc/PID/mountinfo)
 */
public record FileIdentity(long dev, long ino, int mode, long rdev, long size, int mntId) {

    public static int major(long dev) {
        return (int) (((dev >>> 8) & 0xfff) | ((dev >>> 32) & ~0xfffL));
    }

    public static int minor(long dev) {
        return (int) ((dev & 0xff) | ((dev >>> 12) & ~0xffL));
    }

    public int rdevMajor() {
        return major(rdev);
    }

    public int rdevMinor() {
        return minor(rdev);
    }

    public int type() {
        return mode & 0170000;
    }
}
