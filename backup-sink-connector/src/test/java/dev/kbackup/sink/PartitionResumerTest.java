package dev.kbackup.sink;

import dev.kbackup.format.SegmentInfo;
import dev.kbackup.layout.BackupCatalog;
import dev.kbackup.layout.PartitionIndex;
import dev.kbackup.storage.ForwardingObjectStore;
import dev.kbackup.storage.ObjectInfo;
import dev.kbackup.testing.TestSegments;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Instant;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Assigned partitions resume after the last offset storage holds, whoever wrote it. */
class PartitionResumerTest {

    private static final TopicPartition ORDERS_0 = new TopicPartition("orders", 0);
    private static final TopicPartition ORDERS_1 = new TopicPartition("orders", 1);
    private static final TopicPartition ORDERS_2 = new TopicPartition("orders", 2);

    @TempDir
    Path dir;

    @Test
    void waitingPartitionsResumeAfterWhatStorageHoldsAndStopWaiting() {
        try (WriterFixture earlierOwner = new WriterFixture(dir, 64L << 20);
             PartitionResumer resumer = new PartitionResumer(earlierOwner.catalog, "test-open")) {
            PartitionWriter writer = earlierOwner.open(ORDERS_0, -1);
            WriterFixture.records(0, 25).forEach(record -> writer.accept(record, 0));
            writer.roll();

            resumer.assigned(ORDERS_0);
            resumer.assigned(ORDERS_1);
            resumer.assigned(ORDERS_2);
            resumer.revoked(List.of(ORDERS_2));
            assertEquals(Set.of(ORDERS_0, ORDERS_1), resumer.waiting());

            Map<TopicPartition, Long> resumed = resumer.resumeWaiting();
            assertEquals(24L, resumed.get(ORDERS_0), "after the segment found in storage");
            assertEquals(-1L, resumed.get(ORDERS_1), "nothing stored yet");
            assertEquals(Set.of(ORDERS_0, ORDERS_1), resumed.keySet());
            assertFalse(resumer.hasWaiting());
            assertTrue(resumer.resumeWaiting().isEmpty());
        }
        }

    @Test
    void manyPartitionsOfATopicShareOneListingOfItsCatalogAndEachListsOnlyItsSegments() {
        int partitions = PartitionResumer.TOPIC_LISTING_FROM + 4;
        try (WriterFixture earlierOwner = new WriterFixture(dir, 64L << 20)) {
            SegmentInfo published = TestSegments.write(earlierOwner.store, earlierOwner.layout, "orders", 0, 0, 49);
            earlierOwner.catalog.publishIndex(new PartitionIndex("orders", 0, Instant.EPOCH, List.of(published)),
                    Instant.EPOCH);
            TestSegments.write(earlierOwner.store, earlierOwner.layout, "orders", 0, 50, 59);
            TestSegments.write(earlierOwner.store, earlierOwner.layout, "orders", 3, 0, 9);
            // listed from the resumer's reader threads
            List<String> listed = new CopyOnWriteArrayList<>();
            BackupCatalog counted = new BackupCatalog(new ForwardingObjectStore(earlierOwner.store) {
                @Override
                public Iterator<ObjectInfo> list(String prefix, String startAfter) {
                    listed.add(prefix);
                    return delegate.list(prefix, startAfter);
                }
            }, earlierOwner.layout);

            Map<TopicPartition, Long> resumed;
            try (PartitionResumer resumer = new PartitionResumer(counted, "test-open")) {
                for (int p = 0; p < partitions; p++) {
                    resumer.assigned(new TopicPartition("orders", p));
                }
                resumed = resumer.resumeWaiting();
            }

            assertEquals(59L, resumed.get(ORDERS_0), "after the unpublished segment above the catalog's end");
            assertEquals(9L, resumed.get(new TopicPartition("orders", 3)), "a partition with no catalog yet");
            assertEquals(-1L, resumed.get(ORDERS_1));
            assertEquals(partitions, resumed.size());
            assertEquals(1, listed.stream().filter(prefix -> prefix.equals(earlierOwner.layout
                    .topicIndexPrefix("orders"))).count(), "the topic's index/ folder once: " + listed);
            assertEquals(partitions, listed.stream().filter(prefix -> prefix.contains("/topics/")).count(),
                    "each partition's segments after its catalog's end");
            assertEquals(partitions + 1, listed.size(), "nothing else: " + listed);
            assertEquals(List.of(0L, 50L), earlierOwner.catalog.readIndex("orders", 0).orElseThrow().segments()
                    .stream().map(SegmentInfo::firstOffset).toList(), "the segment it found is published");
        }
    }
}
