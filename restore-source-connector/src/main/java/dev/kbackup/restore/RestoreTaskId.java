package dev.kbackup.restore;

/** Which restore a task is part of: the backup it reads, the connector that restores it, and the task's number. */
record RestoreTaskId(String backupId, String connectorName, int taskNumber) {
}
