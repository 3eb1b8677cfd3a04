/** The Java steps of {@code ./quickstart.sh}: demo data, waiting for the backup, and checking the restore. */
package dev.kbackup.quickstart;
