/**
 * The restore source connector: reads a backup's segments from storage and produces their records to target topics,
 * inside a time window, with offset translation and resumable progress.
 */
package dev.kbackup.restore;
