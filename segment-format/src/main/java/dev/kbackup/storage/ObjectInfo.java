package dev.kbackup.storage;

/**
 * One stored object: its key, size in bytes, last-modified time (epoch millis) and an opaque version tag (the S3
 * ETag, or size and modification time on a filesystem).
 */
public record ObjectInfo(String key, long size, long lastModifiedMillis, String version) {
}
