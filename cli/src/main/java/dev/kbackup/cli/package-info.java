/**
 * The operator CLI, {@code bin/kbackup}: answers questions about backups (which exist, what they hold, whether
 * they are intact, whether the backup job is alive, what a restore would read) straight from storage, with the
 * connectors' own storage settings and catalog classes, and without a Connect worker.
 */
package dev.kbackup.cli;
