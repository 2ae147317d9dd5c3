package io.hotvirt.checkpoint.image;

/** One file of an image as the manifest lists it. */
public record FileEntry(String name, long size, String sha256) {
}
