package dev.kbackup.testing;

import dev.kbackup.format.SegmentInfo;
import dev.kbackup.layout.BackupCatalog;
import dev.kbackup.layout.BackupLayout;
import dev.kbackup.layout.PartitionIndex;
import dev.kbackup.storage.FilesystemObjectStore;
import dev.kbackup.storage.WriteMode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Instant;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** Tests read a backup as a restore does, so a segment lost from the catalog shows. */
class BackupContentsTest {

    @TempDir
    Path root;

    @Test
    void aSegmentTheCatalogLostIsNotReadAndIsReported() {
        FilesystemObjectStore store = new FilesystemObjectStore(root);
        BackupLayout layout = new BackupLayout("b1");
        SegmentInfo first = TestSegments.write(store, layout, "orders", 0, 0, 9);
        SegmentInfo lost = TestSegments.write(store, layout, "orders", 0, 10, 19);
        SegmentInfo last = TestSegments.write(store, layout, "orders", 0, 20, 29);
        new BackupCatalog(store, layout).publishIndex(new PartitionIndex("orders", 0, Instant.now(),
                List.of(first, last)), Instant.now());

        BackupContents contents = BackupContents.read(store, layout);

        assertEquals(List.of(first.key(), last.key()), contents.segmentKeys("orders", 0));
        assertEquals(20, contents.recordCount());
        assertEquals(List.of(lost.key()), contents.unlistedSegments());
        assertThrows(AssertionError.class, contents::assertCatalogComplete);
    }

    @Test
    void aSegmentReplacedAfterItWasIndexedIsReported() {
        FilesystemObjectStore store = new FilesystemObjectStore(root);
        BackupLayout layout = new BackupLayout("b1");
        SegmentInfo indexed = TestSegments.write(store, layout, "orders", 0, 0, 9);
        new BackupCatalog(store, layout).publishIndex(new PartitionIndex("orders", 0, Instant.now(),
                List.of(indexed)), Instant.now());
        FilesystemObjectStore other = new FilesystemObjectStore(root.resolve("other"));
        TestSegments.write(other, layout, "orders", 3, 0, 9); // same offsets, other records
        store.put(indexed.key(), other.readIfExists(layout.segmentKey("orders", 3, 0, indexed.codec()))
                .orElseThrow(), WriteMode.OVERWRITE);

        BackupContents contents = BackupContents.read(store, layout);

        assertEquals(1, contents.mismatchedSegments().size(), contents.mismatchedSegments().toString());
        assertEquals(List.of(), contents.unlistedSegments());
    }
}
