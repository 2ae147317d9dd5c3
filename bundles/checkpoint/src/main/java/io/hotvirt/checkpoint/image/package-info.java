/**
 * The on-disk image format: a directory holding per-process metadata (JSON), page data in
 * page-aligned raw files with a binary index, and a manifest written last with per-file checksums
 * and a MAC made with the node key. An image is complete or absent.
 */
package io.hotvirt.checkpoint.image;
