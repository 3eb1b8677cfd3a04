package dev.kbackup.restore;

import dev.kbackup.storage.StorageException;
import org.apache.kafka.connect.errors.ConnectException;

/**
 * A read failure met while a batch was being taken: the records read before it still go out, and the task fails
 * on the next poll that has nothing left to hand out (and on every poll after it).
 */
final class DeferredReadFailure {

    private final String backupId;
    private RuntimeException failure;

    DeferredReadFailure(String backupId) {
        this.backupId = backupId;
    }

    /** Keeps the failure, worded for the task's status, to be thrown by {@link #throwIfAny}. */
    void defer(UnreadableSegmentException e) {
        failure = new ConnectException(e.getMessage(), e.getCause());
    }

    void defer(StorageException e) {
        failure = new ConnectException("Could not read backup " + backupId + " from storage: " + e.getMessage()
                + ". Restart the task once storage is reachable; it resumes where it stopped.", e);
    }

    void throwIfAny() {
        if (failure != null) {
            throw failure;
        }
    }
}
