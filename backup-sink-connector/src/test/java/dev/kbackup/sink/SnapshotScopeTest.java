package dev.kbackup.sink;

import org.apache.kafka.common.resource.PatternType;
import org.apache.kafka.common.resource.ResourcePattern;
import org.apache.kafka.common.resource.ResourceType;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class SnapshotScopeTest {

    private static final List<String> CLUSTER_TOPICS = List.of("orders", "payments", "_schemas",
            "__consumer_offsets", "audit");

    @Test
    void coversTheListedTopicsOnly() {
        SnapshotScope scope = scope(Set.of("orders", "_schemas"), null);

        assertEquals(Set.of("_schemas", "orders"), scope.backedUpTopics(CLUSTER_TOPICS));
    }

    @Test
    void coversWhatTheRegexMatchesButNotInternalTopicsNobodyNamed() {
        SnapshotScope scope = scope(Set.of(), Pattern.compile(".*"));

        assertEquals(Set.of("_schemas", "audit", "orders", "payments"), scope.backedUpTopics(CLUSTER_TOPICS));
    }

    @Test
    void selectsGroupsByIncludeThenExclude() {
        SnapshotScope scope = new SnapshotScope(Set.of("orders"), null, Pattern.compile("billing-.*|connect-.*"),
                Pattern.compile("connect-.*"));

        assertTrue(scope.includesGroup("billing-eu"));
        assertFalse(scope.includesGroup("connect-backup"), "Connect's own groups are excluded");
        assertFalse(scope.includesGroup("shipping"), "not included");
        assertFalse(scope.includesGroup("xbilling-eu"), "whole-name match");
    }

    @Test
    void leavesOutConfigsThatNameTheSourceBrokers() {
        assertTrue(SnapshotScope.keepsConfig("cleanup.policy"));
        assertTrue(SnapshotScope.keepsConfig("min.compaction.lag.ms"));
        assertFalse(SnapshotScope.keepsConfig("leader.replication.throttled.replicas"));
        assertFalse(SnapshotScope.keepsConfig("follower.replication.throttled.replicas"));
    }

    @Test
    void aclsConcernTheBackedUpTopicsAndSnapshottedGroups() {
        Set<String> topics = Set.of("orders");
        Set<String> groups = Set.of("billing");

        assertTrue(SnapshotCollector.concerns(topic("orders", PatternType.LITERAL), topics, groups));
        assertTrue(SnapshotCollector.concerns(topic("ord", PatternType.PREFIXED), topics, groups));
        assertTrue(SnapshotCollector.concerns(topic("*", PatternType.LITERAL), topics, groups));
        assertFalse(SnapshotCollector.concerns(topic("payments", PatternType.LITERAL), topics, groups));
        assertTrue(SnapshotCollector.concerns(new ResourcePattern(ResourceType.GROUP, "billing", PatternType.LITERAL),
                topics, groups));
        assertFalse(SnapshotCollector.concerns(new ResourcePattern(ResourceType.GROUP, "orders", PatternType.LITERAL),
                topics, groups), "a group named like a topic is not the topic");
        assertFalse(SnapshotCollector.concerns(new ResourcePattern(ResourceType.CLUSTER, "kafka-cluster",
                PatternType.LITERAL), topics, groups));
    }

    private static ResourcePattern topic(String name, PatternType type) {
        return new ResourcePattern(ResourceType.TOPIC, name, type);
    }

    private static SnapshotScope scope(Set<String> topics, Pattern regex) {
        return new SnapshotScope(topics, regex, Pattern.compile(".*"), Pattern.compile("connect-.*"));
    }
}
