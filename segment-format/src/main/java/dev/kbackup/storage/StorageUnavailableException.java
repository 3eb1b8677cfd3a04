package dev.kbackup.storage;

/** A call was refused without reaching storage because its circuit breaker is open. Always retriable. */
public class StorageUnavailableException extends StorageException {

    public StorageUnavailableException(String message, Throwable lastFailure) {
        super(message, lastFailure, true);
    }
}
