package io.hotvirt.checkpoint.image;

import java.util.List;

/**
 * The manifest, written last: an image without a valid one does not exist. The MAC covers every
 * other field through {@link ManifestCodec#canonical}, so a file list or checksum cannot be edited
 * without the node key.
 *
 * @param formatVersion {@link ImageFormat#VERSION}
 * @param node          the node that made the image
 * @param created       ISO-8601 instant
 * @param processes     pids saved, root first
 * @param files         every other file of the image, with size and SHA-256
 * @param mac           hex HMAC-SHA256 of the canonical content; null while computing it
 */
public record Manifest(int formatVersion, String node, String created, List<Integer> processes,
                       List<FileEntry> files, DumpStats stats, String mac) {

    public Manifest {
        processes = List.copyOf(processes);
        files = List.copyOf(files);
    }

    public Manifest withMac(String mac) {
        return new Manifest(formatVersion, node, created, processes, files, stats, mac);
    }
}
