package dev.kbackup.layout;

import dev.kbackup.storage.FilesystemObjectStore;
import dev.kbackup.storage.ObjectExistsException;
import dev.kbackup.storage.ObjectInfo;
import dev.kbackup.storage.ObjectStore;
import dev.kbackup.storage.WriteMode;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ClusterSnapshotsTest {

    @TempDir
    Path root;
    private ObjectStore store;
    private final BackupLayout layout = new BackupLayout("b1");
    private final List<String> keysListed = new ArrayList<>();
    private ClusterSnapshots snapshots;

    @BeforeEach
    void setUp() {
        store = countingListings(new FilesystemObjectStore(root));
        snapshots = new ClusterSnapshots(store, layout);
    }

    @Test
    void findsTheNewestSnapshotAtOrBeforeATime() {
        for (long millis = 1_000; millis <= 5_000; millis += 1_000) {
            snapshots.write(snapshot(millis, millis / 10));
        }

        assertEquals(300, committed(snapshots.atOrBefore(3_500).orElseThrow().snapshot()));
        assertEquals(300, committed(snapshots.atOrBefore(3_000).orElseThrow().snapshot()), "at the time itself");
        assertEquals(500, committed(snapshots.atOrBefore(Long.MAX_VALUE).orElseThrow().snapshot()));
        assertTrue(snapshots.atOrBefore(999).isEmpty(), "nothing was taken that early");
    }

    @Test
    void readsOneListedKeyHoweverManySnapshotsTheBackupHolds() {
        for (long millis = 1_000; millis <= 50_000; millis += 1_000) {
            snapshots.write(snapshot(millis, millis));
        }
        keysListed.clear();

        ClusterSnapshots.Found found = snapshots.atOrBefore(20_500).orElseThrow();

        assertEquals(20_000, committed(found.snapshot()));
        assertEquals(List.of(found.key()), keysListed, "newer snapshots are skipped by the listing's start");
    }

    @Test
    void keysAreNamedAfterTheTimeAndSortNewestFirst() {
        String older = layout.snapshotKey(Instant.parse("2026-11-29T01:02:03.456Z").toEpochMilli());
        String newer = layout.snapshotKey(Instant.parse("2026-11-29T01:02:03.457Z").toEpochMilli());

        assertTrue(older.startsWith("b1/snapshots/snapshot-"), older);
        assertTrue(older.endsWith("-20261129T010203456Z.json"), older);
        assertTrue(newer.compareTo(older) < 0, "newer first: " + newer + " / " + older);
        assertEquals(Instant.parse("2026-11-29T01:02:03.456Z").toEpochMilli(),
                BackupLayout.parseSnapshotKey(older).orElseThrow());
        assertTrue(BackupLayout.parseSnapshotKey("b1/snapshots/notes.json").isEmpty());
    }

    @Test
    void aSnapshotIsNeverOverwritten() {
        snapshots.write(snapshot(1_000, 1));

        assertThrows(ObjectExistsException.class, () -> snapshots.write(snapshot(1_000, 2)));
        assertEquals(1, committed(snapshots.atOrBefore(1_000).orElseThrow().snapshot()));
    }

    @Test
    void foreignObjectsInTheFolderAreIgnored() {
        snapshots.write(snapshot(1_000, 7));
        store.put(layout.snapshotsPrefix() + "snapshot-0-garbage.json", "{".getBytes(), WriteMode.OVERWRITE);

        assertEquals(7, committed(snapshots.atOrBefore(2_000).orElseThrow().snapshot()));
    }

    @Test
    void roundTripsEveryField() {
        ClusterSnapshot written = new ClusterSnapshot(ClusterSnapshot.FORMAT_VERSION, "b1", Instant.ofEpochMilli(42),
                "cluster-a",
                List.of(new ClusterSnapshot.TopicSnapshot("_schemas", 1, 3,
                        Map.of("cleanup.policy", "compact", "min.compaction.lag.ms", "100"))),
                List.of(new ClusterSnapshot.GroupOffsets("billing",
                        List.of(new ClusterSnapshot.CommittedOffset("_schemas", 0, 17, "m")))),
                List.of(new ClusterSnapshot.AclEntry("TOPIC", "_schemas", "LITERAL", "User:alice", "*", "READ",
                        "ALLOW")));
        snapshots.write(written);

        assertEquals(written, snapshots.atOrBefore(42).orElseThrow().snapshot());
        snapshots.write(new ClusterSnapshot(1, "b1", Instant.ofEpochMilli(43), null, List.of(), List.of(), null));
        assertNull(snapshots.atOrBefore(43).orElseThrow().snapshot().acls(), "no ACLs asked for stays null");
    }

    private ClusterSnapshot snapshot(long millis, long offset) {
        return new ClusterSnapshot(ClusterSnapshot.FORMAT_VERSION, "b1", Instant.ofEpochMilli(millis), "c1",
                List.of(new ClusterSnapshot.TopicSnapshot("orders", 3, 1, Map.of())),
                List.of(new ClusterSnapshot.GroupOffsets("g1",
                        List.of(new ClusterSnapshot.CommittedOffset("orders", 0, offset, "")))),
                null);
    }

    private static long committed(ClusterSnapshot snapshot) {
        return snapshot.groups().get(0).offsets().get(0).offset();
    }

    /** The store, recording every key its listings hand out. */
    private ObjectStore countingListings(ObjectStore delegate) {
        return (ObjectStore) Proxy.newProxyInstance(getClass().getClassLoader(), new Class<?>[]{ObjectStore.class},
                (proxy, method, args) -> {
                    Object result;
                    try {
                        result = method.invoke(delegate, args);
                    } catch (InvocationTargetException e) {
                        throw e.getCause();
                    }
                    if (!method.getName().equals("list")) {
                        return result;
                    }
                    @SuppressWarnings("unchecked")
                    Iterator<ObjectInfo> listing = (Iterator<ObjectInfo>) result;
                    return new Iterator<ObjectInfo>() {
                        @Override
                        public boolean hasNext() {
                            return listing.hasNext();
                        }

                        @Override
                        public ObjectInfo next() {
                            ObjectInfo next = listing.next();
                            keysListed.add(next.key());
                            return next;
                        }
                    };
                });
    }
}
