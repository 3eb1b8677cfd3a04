package dev.kbackup.sink;

import dev.kbackup.layout.BackupLayout;
import dev.kbackup.layout.ClusterSnapshot;
import dev.kbackup.layout.ClusterSnapshots;
import dev.kbackup.storage.FilesystemObjectStore;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Supplier;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class SnapshotTakerTest {

    @TempDir
    Path root;
    private final BackupLayout layout = new BackupLayout("b1");

    @Test
    void storesEachSnapshotUnderItsTime() {
        ClusterSnapshots snapshots = new ClusterSnapshots(new FilesystemObjectStore(root), layout);
        SnapshotTaker taker = new SnapshotTaker(sequence(snapshot(1_000, 5), snapshot(2_000, 9)), snapshots, () -> { });

        assertTrue(taker.takeOne());
        assertTrue(taker.takeOne());

        assertEquals(2, taker.takenTotal());
        assertEquals(5, offset(snapshots.atOrBefore(1_999).orElseThrow().snapshot()));
        assertEquals(9, offset(snapshots.atOrBefore(2_000).orElseThrow().snapshot()));
    }

    @Test
    void aFailingClusterIsCountedAndTheNextSnapshotStillComes() {
        ClusterSnapshots snapshots = new ClusterSnapshots(new FilesystemObjectStore(root), layout);
        Deque<Supplier<ClusterSnapshot>> answers = new ArrayDeque<>(List.of(
                () -> {
                    throw new IllegalStateException("Could not read the consumer groups: coordinator not available");
                },
                () -> snapshot(3_000, 11)));
        SnapshotTaker taker = new SnapshotTaker(() -> answers.pop().get(), snapshots, () -> { });

        assertFalse(taker.takeOne(), "a failure is reported, not thrown");
        assertTrue(taker.takeOne());

        assertEquals(1, taker.failuresTotal());
        assertEquals(1, taker.takenTotal());
        assertEquals(11, offset(snapshots.atOrBefore(Long.MAX_VALUE).orElseThrow().snapshot()));
    }

    @Test
    void aFailingStoreIsCountedNotThrown() {
        FaultyStore store = new FaultyStore(new FilesystemObjectStore(root));
        store.failPuts(key -> key.contains("/snapshots/"),
                () -> new dev.kbackup.storage.StorageException("injected: bucket unavailable", null));
        SnapshotTaker taker = new SnapshotTaker(sequence(snapshot(1_000, 1)), new ClusterSnapshots(store, layout),
                () -> { });

        assertFalse(taker.takeOne());

        assertEquals(1, taker.failuresTotal());
        assertEquals(0, taker.takenTotal());
    }

    @Test
    void closingStopsTheScheduleAndClosesTheAdminClient() throws Exception {
        AtomicBoolean closed = new AtomicBoolean();
        SnapshotTaker taker = new SnapshotTaker(() -> snapshot(System.currentTimeMillis(), 1),
                new ClusterSnapshots(new FilesystemObjectStore(root), layout), () -> closed.set(true));
        taker.start(3_600_000, "test-snapshots");
        taker.close();

        assertTrue(closed.get());
    }

    @Test
    void onlyTaskZeroTakesSnapshotsAndOnlyWithAnInterval() {
        assertTrue(SnapshotTaker.isTakenBy(0, 60_000));
        assertFalse(SnapshotTaker.isTakenBy(1, 60_000), "one snapshot per interval, not one per task");
        assertFalse(SnapshotTaker.isTakenBy(0, 0), "0 turns snapshots off");
    }

    private static Supplier<ClusterSnapshot> sequence(ClusterSnapshot... snapshots) {
        Deque<ClusterSnapshot> queue = new ArrayDeque<>(List.of(snapshots));
        return queue::pop;
    }

    private static ClusterSnapshot snapshot(long millis, long offset) {
        return new ClusterSnapshot(ClusterSnapshot.FORMAT_VERSION, "b1", Instant.ofEpochMilli(millis), "c",
                List.of(new ClusterSnapshot.TopicSnapshot("orders", 1, 1, Map.of())),
                List.of(new ClusterSnapshot.GroupOffsets("g", List.of(
                        new ClusterSnapshot.CommittedOffset("orders", 0, offset, "")))), null);
    }

    private static long offset(ClusterSnapshot snapshot) {
        return snapshot.groups().get(0).offsets().get(0).offset();
    }
}
