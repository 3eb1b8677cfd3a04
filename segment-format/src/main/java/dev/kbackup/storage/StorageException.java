package dev.kbackup.storage;

/** A storage operation failed; the message names the store, the operation and the key. */
public class StorageException extends RuntimeException {

    private final boolean retriable;

    public StorageException(String message, Throwable cause, boolean retriable) {
        super(message, cause);
        this.retriable = retriable;
    }

    public StorageException(String message, Throwable cause) {
        this(message, cause, true);
    }

    /** True if trying again later may succeed (network, throttling, 5xx), false for errors a retry cannot fix. */
    public boolean isRetriable() {
        return retriable;
    }
}
