/**
 * What a backup looks like in storage. {@link dev.kbackup.layout.BackupLayout} and
 * {@link dev.kbackup.layout.RestoreKeys} build (and parse) every object key; {@link dev.kbackup.layout.BackupCatalog}
 * reads and publishes the indexes and the manifest under those keys; {@link dev.kbackup.layout.StoredSegment} reads
 * one segment object with ranged requests.
 */
package dev.kbackup.layout;
