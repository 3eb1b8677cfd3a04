package dev.kbackup.storage;

/**
 * The lifecycle the stores' uploads share: open until completed or aborted, completed at most once (later calls
 * return the same result), aborted at most once, and aborted by any failure while completing.
 */
abstract class StoreUpload extends ObjectUpload {

    private enum State { OPEN, COMPLETED, ABORTED }

    final String key;
    private final ObjectStore store;
    private State state = State.OPEN;
    private ObjectInfo completed;

    StoreUpload(ObjectStore store, String key) {
        this.store = store;
        this.key = key;
    }

    /** Makes the object visible with the bytes written; called once, while open. */
    abstract ObjectInfo finish();

    /** Drops what was written; called once, when an open upload is aborted. */
    abstract void discard();

    @Override
    public final ObjectInfo complete() {
        if (state == State.COMPLETED) {
            return completed;
        }
        ensureOpen();
        try {
            completed = finish();
        } catch (RuntimeException e) {
            abort();
            throw e;
        }
        state = State.COMPLETED;
        return completed;
    }

    @Override
    public final void abort() {
        if (state != State.OPEN) {
            return;
        }
        state = State.ABORTED;
        discard();
    }

    @Override
    public final void close() {
        abort();
    }

    final void ensureOpen() {
        if (state != State.OPEN) {
            throw new IllegalStateException("The upload of '" + key + "' to " + store.describe() + " is already "
                    + (state == State.COMPLETED ? "complete" : "aborted"));
        }
    }
}
