package dev.kbackup.storage;

/** Whether a write may replace an existing object. */
public enum WriteMode {
    /** Fails with {@link ObjectExistsException} if the key already exists; nothing existing is changed. */
    CREATE_NEW,
    /** Replaces any existing object atomically: readers see the old or the new bytes, never a mix. */
    OVERWRITE
}
