package dev.kbackup.restore;

import dev.kbackup.layout.ClusterSnapshot;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class SnapshotTopicSettingsTest {

    private static final ClusterSnapshot.TopicSnapshot SCHEMAS = new ClusterSnapshot.TopicSnapshot("_schemas", 1, 3,
            Map.of("cleanup.policy", "compact", "min.compaction.lag.ms", "100", "max.message.bytes", "2000000",
                    "retention.ms", "604800000", "retention.bytes", "1000000"));

    @Test
    void createsWithTheBackedUpConfigsButUnlimitedRetention() {
        SnapshotTopicSettings.Creation creation = SnapshotTopicSettings.creation(SCHEMAS, 1);

        assertEquals(Map.of("cleanup.policy", "compact", "min.compaction.lag.ms", "100", "max.message.bytes",
                "2000000", "retention.ms", "-1"), creation.configs());
        assertEquals(List.of("retention.bytes=1000000", "retention.ms=604800000"),
                creation.leftOut().stream().sorted().toList());
    }

    @Test
    void takesTheBackedUpPartitionCountUnlessTheRestoreNeedsMore() {
        ClusterSnapshot.TopicSnapshot orders = new ClusterSnapshot.TopicSnapshot("orders", 6, 1, Map.of());

        assertEquals(6, SnapshotTopicSettings.creation(orders, 2).partitions(), "partitions without data are kept");
        assertEquals(8, SnapshotTopicSettings.creation(orders, 8).partitions(), "partition.mapping needs more");
    }

    @Test
    void withoutASnapshotOnlyRetentionIsSet() {
        SnapshotTopicSettings.Creation creation = SnapshotTopicSettings.creation(null, 3);

        assertEquals(3, creation.partitions());
        assertEquals(Map.of("retention.ms", "-1"), creation.configs());
    }

    @Test
    void logAppendTimeIsLeftOutBecauseItWouldReplaceTheOriginalTimestamps() {
        ClusterSnapshot.TopicSnapshot events = new ClusterSnapshot.TopicSnapshot("events", 1, 1,
                Map.of("message.timestamp.type", "LogAppendTime"));

        assertEquals(Map.of("retention.ms", "-1"), SnapshotTopicSettings.creation(events, 1).configs());
    }

    @Test
    void reportsAnExistingTargetThatDeletesWhereTheBackupCompacted() {
        Optional<String> conflict = SnapshotTopicSettings.conflict("schemas-copy", SCHEMAS, "delete", 1);

        assertEquals(Optional.of("target topic 'schemas-copy' has cleanup.policy=delete where the backed-up topic "
                + "'_schemas' had compact"), conflict);
    }

    @Test
    void reportsAnExistingTargetWithFewerPartitions() {
        ClusterSnapshot.TopicSnapshot orders = new ClusterSnapshot.TopicSnapshot("orders", 6, 1, Map.of());

        assertEquals(Optional.of("target topic 'orders' has 4 partitions where the backed-up topic 'orders' had 6"),
                SnapshotTopicSettings.conflict("orders", orders, "delete", 4));
        assertTrue(SnapshotTopicSettings.conflict("orders", orders, "delete", 6).isEmpty());
        assertTrue(SnapshotTopicSettings.conflict("orders", orders, "delete", 12).isEmpty(), "more is fine");
    }

    @Test
    void policiesCompareAsSets() {
        ClusterSnapshot.TopicSnapshot both = new ClusterSnapshot.TopicSnapshot("t", 1, 1,
                Map.of("cleanup.policy", "compact,delete"));

        assertTrue(SnapshotTopicSettings.conflict("t", both, "delete, compact", 1).isEmpty());
        assertTrue(SnapshotTopicSettings.conflict("t", new ClusterSnapshot.TopicSnapshot("t", 1, 1, Map.of()),
                "delete", 1).isEmpty(), "no policy set on the topic means the default, delete");
    }
}
