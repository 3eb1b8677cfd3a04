package dev.kbackup.restore;

import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.config.ConfigException;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class RoutingTest {

    @Test
    void mappedTopicsAreRenamedAndOthersKeepTheirName() {
        TopicRenames mapping = TopicRenames.parse(List.of("orders:orders-restored", " payments : payments.copy "));
        assertEquals("orders-restored", mapping.target("orders"));
        assertEquals("payments.copy", mapping.target("payments"));
        assertEquals("audit", mapping.target("audit"));
    }

    @Test
    void malformedTopicMappingsSayWhichEntryAndWhy() {
        assertMessage(() -> TopicRenames.parse(List.of("orders")), "'orders' must be sourceTopic:targetTopic");
        assertMessage(() -> TopicRenames.parse(List.of("orders:a:b")), "must be sourceTopic:targetTopic");
        assertMessage(() -> TopicRenames.parse(List.of("orders:bad topic")), "'bad topic' is not a legal topic");
        assertMessage(() -> TopicRenames.parse(List.of("orders:a", "orders:b")), "'orders' is mapped twice");
    }

    @Test
    void partitionMappingsOverrideTheTopicMapping() {
        TargetRouter router = new TargetRouter(TopicRenames.parse(List.of("orders:restored")),
                PartitionRoutes.parse(List.of("orders/3:0", "orders/4:archive/7")));
        assertEquals(new TopicPartition("restored", 0), router.target(new TopicPartition("orders", 3)));
        assertEquals(new TopicPartition("archive", 7), router.target(new TopicPartition("orders", 4)));
        assertEquals(new TopicPartition("restored", 5), router.target(new TopicPartition("orders", 5)));
        assertEquals(new TopicPartition("other", 5), router.target(new TopicPartition("other", 5)));
    }

    @Test
    void malformedPartitionMappingsSayWhichEntryAndWhy() {
        assertMessage(() -> PartitionRoutes.parse(List.of("orders:1")), "'orders:1' must be topic/partition");
        assertMessage(() -> PartitionRoutes.parse(List.of("orders/x:1")), "'x' is not a partition number");
        assertMessage(() -> PartitionRoutes.parse(List.of("orders/1:-2")), "'-2' is not a partition number");
        assertMessage(() -> PartitionRoutes.parse(List.of("orders/1:a b/2")), "'a b' is not a legal topic");
        assertMessage(() -> PartitionRoutes.parse(List.of("orders/1:2", "orders/1:3")), "mapped twice");
    }

    private static void assertMessage(Runnable parse, String expected) {
        ConfigException error = assertThrows(ConfigException.class, parse::run);
        assertTrue(error.getMessage().contains(expected), error.getMessage());
    }
}
