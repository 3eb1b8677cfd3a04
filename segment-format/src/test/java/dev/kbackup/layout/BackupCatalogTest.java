package dev.kbackup.layout;

import dev.kbackup.format.Codec;
import dev.kbackup.format.SegmentInfo;
import dev.kbackup.storage.FilesystemObjectStore;
import dev.kbackup.storage.ObjectStore;
import dev.kbackup.storage.WriteMode;
import dev.kbackup.testing.TestSegments;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class BackupCatalogTest {

    private static final Instant NOW = Instant.parse("2026-11-24T10:00:00Z");

    @TempDir
    Path root;
    private ObjectStore store;
    private BackupLayout layout;
    private BackupCatalog catalog;

    @BeforeEach
    void setUp() {
        store = new FilesystemObjectStore(root);
        layout = new BackupLayout("b1");
        catalog = new BackupCatalog(store, layout);
    }

    @Test
    void publishingAnIndexNeverDropsWhatAnEarlierOwnerPublished() {
        SegmentInfo first = segment("orders", 0, 0, 99);
        SegmentInfo second = segment("orders", 0, 100, 199);
        catalog.publishIndex(new PartitionIndex("orders", 0, NOW, List.of(first)), NOW);
        // A new owner that only knows its own segment publishes; readers see the union.
        PartitionIndex piece = catalog.publishIndex(new PartitionIndex("orders", 0, NOW, List.of(second)), NOW);
        assertEquals(List.of(second.key()), keys(piece));
        PartitionIndex stored = catalog.readIndex("orders", 0).orElseThrow();
        assertEquals(List.of(first.key(), second.key()), keys(stored));
        assertEquals(199, stored.lastOffset());
        assertEquals(200, stored.recordCount());
    }

    @Test
    void recoverFindsCompleteSegmentsTheIndexDoesNotListAndPublishesThem() {
        SegmentInfo indexed = segment("orders", 2, 0, 49);
        catalog.publishIndex(new PartitionIndex("orders", 2, NOW, List.of(indexed)), NOW);
        SegmentInfo unindexed = segment("orders", 2, 50, 120);

        PartitionIndex recovered = catalog.recover("orders", 2);

        assertEquals(List.of(indexed.key(), unindexed.key()), keys(recovered));
        SegmentInfo found = recovered.segments().get(1);
        assertEquals(unindexed, found, "the listed segment is described exactly, checksum included");
        assertEquals(keys(recovered), keys(catalog.readIndex("orders", 2).orElseThrow()));
    }

    @Test
    void resumingReadsNoCatalogObjectAndStillPublishesWhatTheCatalogMissed() {
        SegmentInfo indexed = segment("orders", 2, 0, 49);
        catalog.publishIndex(new PartitionIndex("orders", 2, NOW, List.of(indexed)), NOW);
        SegmentInfo unindexed = segment("orders", 2, 50, 120);
        List<String> read = new java.util.ArrayList<>();
        BackupCatalog reading = new BackupCatalog(new dev.kbackup.storage.ForwardingObjectStore(store) {
            @Override
            public java.io.InputStream read(String key) {
                read.add(key);
                return delegate.read(key);
            }

            @Override
            public java.util.Optional<byte[]> readIfExists(String key) {
                read.add(key);
                return delegate.readIfExists(key);
            }
        }, layout);

        assertEquals(120, reading.resumeAfter("orders", 2));

        assertEquals(List.of(unindexed.key()), read, "only the segment the catalog missed, to describe it");
        assertEquals(List.of(indexed.key(), unindexed.key()), keys(catalog.readIndex("orders", 2).orElseThrow()));
        read.clear();
        assertEquals(120, reading.resumeAfter("orders", 2));
        assertEquals(List.of(), read, "a partition whose catalog is complete: listings only");
        assertEquals(-1, reading.resumeAfter("orders", 3));
    }

    @Test
    void whereACatalogEndsIsKnownFromIndexKeysEvenWhenEverythingWasFoldedIntoACheckpoint() {
        BackupCatalog folding = new BackupCatalog(store, layout, 2);
        for (int i = 0; i < 4; i++) {
            folding.publishIndex(new PartitionIndex("orders", 1, NOW, List.of(segment("orders", 1, i * 10L,
                    i * 10L + 9))), NOW);
            folding.checkpoint("orders", 1, NOW);
        }
        List<String> inIndex = new java.util.ArrayList<>();
        store.list(layout.partitionIndexPrefix("orders", 1), null).forEachRemaining(o -> inIndex.add(o.key()));
        assertEquals(1, inIndex.size(), "only the history summary is left in index/: " + inIndex);
        folding.publishIndex(new PartitionIndex("orders", 2, NOW, List.of(segment("orders", 2, 0, 4))), NOW);

        assertEquals(Map.of(1, 39L, 2, 4L), folding.catalogEnds("orders"));
        assertEquals(39, folding.resumeAfter("orders", 1));
        assertEquals(Map.of(), folding.catalogEnds("audit"));
    }

    @Test
    void unindexedSegmentsAreAddedWithoutWritingAnything() {
        SegmentInfo unindexed = segment("audit", 1, 10, 20);
        PartitionIndex found = catalog.withUnindexedSegments(PartitionIndex.empty("audit", 1));
        assertEquals(List.of(unindexed.key()), keys(found));
        assertTrue(catalog.readIndex("audit", 1).isEmpty());
    }

    @Test
    void theManifestIsWrittenOnceAndSummarisesEveryPartitionFromCatalogKeys() {
        SourceCluster source = new SourceCluster("cluster-1", "broker:9092");
        catalog.publishIndex(new PartitionIndex("orders", 0, NOW, List.of(segment("orders", 0, 0, 9))), NOW);
        catalog.publishManifest(List.of(), source, NOW);
        catalog.publishIndex(new PartitionIndex("orders", 1, NOW, List.of(segment("orders", 1, 0, 4))), NOW);
        Manifest manifest = catalog.publishManifest(List.of(), SourceCluster.UNKNOWN, NOW.plusSeconds(5));

        assertEquals("b1", manifest.backupId());
        assertEquals(NOW, manifest.createdAt(), "written once, by the first publication");
        assertEquals(source, manifest.sourceCluster());
        assertEquals(15, manifest.recordCount());
        PartitionSummary orders1 = manifest.partition("orders", 1).orElseThrow();
        assertEquals(0, orders1.firstOffset());
        assertEquals(4, orders1.lastOffset());
        assertEquals(1, orders1.segmentCount());
        assertEquals("b1/index/orders/partition=1/", orders1.indexFolder());
        assertEquals(manifest, catalog.readManifest().orElseThrow());
    }

    @Test
    void loadAllReadsEveryPartitionsCatalog() {
        PartitionIndex orders = catalog.publishIndex(
                new PartitionIndex("orders", 0, NOW, List.of(segment("orders", 0, 0, 9))), NOW);
        PartitionIndex payments = catalog.publishIndex(
                new PartitionIndex("payments", 3, NOW, List.of(segment("payments", 3, 5, 6))), NOW);

        Map<String, Map<Integer, PartitionIndex>> all = catalog.loadAll();

        assertEquals(keys(orders), keys(all.get("orders").get(0)));
        assertEquals(keys(payments), keys(all.get("payments").get(3)));
    }

    @Test
    void loadAllFindsPartitionsThatHoldSegmentsButWereNeverIndexed() {
        catalog.publishIndex(new PartitionIndex("orders", 0, NOW, List.of(segment("orders", 0, 0, 9))), NOW);
        SegmentInfo orphan = segment("orders", 5, 0, 3);
        SegmentInfo newTopic = segment("refunds", 0, 7, 8);

        Map<String, Map<Integer, PartitionIndex>> all = catalog.loadAll();

        assertEquals(List.of(orphan.key()), keys(all.get("orders").get(5)));
        assertEquals(List.of(newTopic.key()), keys(all.get("refunds").get(0)));
        assertEquals(2, all.get("orders").size());
    }

    @Test
    void segmentKeysSortInOffsetOrderAndParseBack() {
        String small = layout.segmentKey("orders", 7, 99, Codec.ZSTD);
        String large = layout.segmentKey("orders", 7, 1_000, Codec.ZSTD);
        assertEquals("b1/topics/orders/partition=7/segment-00000000000000000099.zst", small);
        assertTrue(small.compareTo(large) < 0);
        BackupLayout.SegmentKey parsed = BackupLayout.parseSegmentKey(large).orElseThrow();
        assertEquals(new BackupLayout.SegmentKey("orders", 7, 1_000, Codec.ZSTD), parsed);
        assertFalse(BackupLayout.parseSegmentKey("b1/topics/orders/partition=7/_kbackup-probe-x").isPresent());
    }

    @Test
    void everyPublicationCreatesItsOwnPieceAndRewritesNothing() {
        SegmentInfo segment = segment("orders", 3, 100, 199);
        catalog.publishIndex(new PartitionIndex("orders", 3, NOW, List.of(segment)), NOW);
        catalog.publishIndex(new PartitionIndex("orders", 3, NOW, List.of(segment)), NOW.plusSeconds(1));

        List<String> pieces = new java.util.ArrayList<>();
        store.list(layout.partitionIndexPrefix("orders", 3), null).forEachRemaining(o -> pieces.add(o.key()));
        assertEquals(2, pieces.size(), "the same entries published twice are two pieces: " + pieces);
        for (String key : pieces) {
            CatalogObject parsed = CatalogObject.parse(key).orElseThrow();
            assertEquals(new CatalogObject(CatalogObject.Level.PIECE, "orders", 3, 100, 199, segment.minTimestamp(),
                    segment.maxTimestamp(), 1, 100, segment.sizeBytes(), parsed.writer()), parsed);
            assertEquals(key, parsed.key(layout));
            assertTrue(key.startsWith("b1/index/orders/partition=3/L0-00000000000000000100-00000000000000000199-"),
                    key);
        }
        assertEquals(List.of(segment.key()), keys(catalog.readIndex("orders", 3).orElseThrow()),
                "duplicate entries merge into one");
    }

    @Test
    void catalogObjectKeysAreValidatedAndParseBack() {
        CatalogObject checkpoint = new CatalogObject(CatalogObject.Level.CHECKPOINT, "orders", 7, 5, 9, -1, 1_700,
                3, 5, 4_096, "ab12");
        String key = checkpoint.key(layout);
        assertEquals("b1/checkpoints/orders/partition=7/C-00000000000000000005-00000000000000000009--1_1700-3_5_4096"
                + "-ab12.json", key);
        assertEquals(checkpoint, CatalogObject.parse(key).orElseThrow());
        assertThrows(IllegalArgumentException.class, () -> new CatalogObject(CatalogObject.Level.PIECE, "orders", 7,
                5, 9, 0, 0, 1, 1, 1, "../x"));
        assertThrows(IllegalArgumentException.class, () -> new CatalogObject(CatalogObject.Level.PIECE, "orders", 7,
                9, 5, 0, 0, 1, 1, 1, "ab12"));
        assertFalse(CatalogObject.parse("b1/index/orders/partition=7.json").isPresent());
        assertFalse(CatalogObject.parse("b1/index/orders/partition=7/00000000000000000005-00000000000000000009-ab12"
                + ".json").isPresent(), "a version 2 index piece is not a catalog object of this version");
        assertFalse(CatalogObject.parse(key.replace("/checkpoints/", "/index/")).isPresent(),
                "a checkpoint outside the checkpoint folder");
    }

    @Test
    void aManifestOfAnotherCatalogVersionIsRefusedNamingTheVersion() {
        store.put(layout.manifestKey(), Json.write(new Manifest(1, "b1", NOW, NOW, SourceCluster.UNKNOWN,
                Map.of())), WriteMode.OVERWRITE);
        IllegalStateException error = assertThrows(IllegalStateException.class, catalog::readManifest);
        assertTrue(error.getMessage().contains("catalog format version 1")
                && error.getMessage().contains("reads version " + Manifest.FORMAT_VERSION)
                && error.getMessage().contains("read by kbackup 0.1.0 snapshots"), error.getMessage());
    }

    @Test
    void backupIdsThatCouldEscapeTheRootAreRefused() {
        for (String bad : new String[] {"", "..", "../x", "a/b", "/abs", ".hidden", "a b"}) {
            assertTrue(BackupLayout.backupIdProblem(bad).isPresent(), bad);
        }
        assertFalse(BackupLayout.backupIdProblem("prod-orders_2026.11").isPresent());
    }

    private SegmentInfo segment(String topic, int partition, long first, long last) {
        return TestSegments.write(store, layout, topic, partition, first, last);
    }

    private static List<String> keys(PartitionIndex index) {
        return index.segments().stream().map(SegmentInfo::key).toList();
    }
}
