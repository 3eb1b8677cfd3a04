package dev.kbackup.layout;

import dev.kbackup.storage.ObjectInfo;
import dev.kbackup.storage.ObjectStore;
import dev.kbackup.storage.WriteMode;

import java.util.Iterator;
import java.util.Optional;

/**
 * Stores and finds the {@link ClusterSnapshot}s of one backup under {@code {backup.id}/snapshots/}. Each snapshot
 * is written once under a key named after its time; keys sort newest first, so finding the snapshot at or before a
 * time reads one page of one listing, however many snapshots the backup holds.
 */
public final class ClusterSnapshots {

    private final ObjectStore store;
    private final BackupLayout layout;

    public ClusterSnapshots(ObjectStore store, BackupLayout layout) {
        this.store = store;
        this.layout = layout;
    }

    /** Stores {@code snapshot} under its time; returns the key. Never overwrites: snapshots are immutable. */
    public String write(ClusterSnapshot snapshot) {
        String key = layout.snapshotKey(snapshot.takenAt().toEpochMilli());
        store.put(key, Json.write(snapshot), WriteMode.CREATE_NEW);
        return key;
    }

    /** The newest snapshot taken at or before {@code atOrBeforeMillis}, with its key, or empty if there is none. */
    public Optional<Found> atOrBefore(long atOrBeforeMillis) {
        Iterator<ObjectInfo> newestFirst = store.list(layout.snapshotsPrefix(),
                layout.snapshotListStart(atOrBeforeMillis));
        while (newestFirst.hasNext()) {
            String key = newestFirst.next().key();
            if (BackupLayout.parseSnapshotKey(key).isEmpty()) {
                continue; // not ours (a temporary file, a copy): never guess at its content
            }
            Optional<byte[]> bytes = store.readIfExists(key);
            if (bytes.isPresent()) {
                return Optional.of(new Found(key, Json.read(bytes.get(), ClusterSnapshot.class, key)));
            }
        }
        return Optional.empty();
    }

    /** A snapshot and the object key it was read from, for messages. */
    public record Found(String key, ClusterSnapshot snapshot) {
    }
}
