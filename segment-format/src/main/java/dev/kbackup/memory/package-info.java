/** What buffers really cost on the heap, for the memory budgets of the backup and the restore connector. */
package dev.kbackup.memory;
