/**
 * Storage access for S3-compatible stores and filesystems behind one {@link dev.kbackup.storage.ObjectStore}: the
 * storage settings and their config keys, uploads, retries, the circuit breaker and the writability probe. Knows
 * nothing of segments or backups.
 */
package dev.kbackup.storage;
