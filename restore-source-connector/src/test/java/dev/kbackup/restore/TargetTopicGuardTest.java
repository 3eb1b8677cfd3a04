package dev.kbackup.restore;

import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.connect.errors.ConnectException;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class TargetTopicGuardTest {

    private static final TargetTopicGuard GUARDED = new TargetTopicGuard("b1", false, false, "my-offsets");

    @Test
    void recognisesKafkasConnectsAndMirrorMakersTopicsAsInternal() {
        for (String topic : List.of("__consumer_offsets", "__transaction_state", "__share_group_state",
                "__anything", "connect-configs", "connect-offsets", "connect-status", "connect-cluster-configs",
                "_connect-status", "docker-connect-offsets", "connect-config-topic-restore-it",
                "connect-offset-topic-x", "connect-status-topic-x", "my.connect.statuses", "my-offsets",
                "mm2-offsets.primary.internal", "primary.checkpoints.internal", "mm2-configs-internal")) {
            assertTrue(GUARDED.internalReason(topic).isPresent(), topic);
        }
    }

    @Test
    void leavesOrdinaryTopicsAlone() {
        for (String topic : List.of("orders", "connected-devices-status", "reconnect-offsets", "payments.configs",
                "_schemas", "orders-changelog", "internal-orders", "app_status")) {
            assertFalse(GUARDED.internalReason(topic).isPresent(), topic);
        }
    }

    @Test
    void refusesAnInternalTargetNamingTheTopicTheKeyAndTheWayOut() {
        List<TargetTopicGuard.Refusal> refusals = GUARDED.internalTargets(List.of(
                plan("__consumer_offsets", "__consumer_offsets"), plan("orders", "orders")));

        assertEquals(1, refusals.size());
        assertEquals(RestoreConfig.TOPIC_MAPPING, refusals.get(0).configKey());
        String message = refusals.get(0).message();
        assertTrue(message.contains("Target topic '__consumer_offsets'"), message);
        assertTrue(message.contains("backup 'b1'"), message);
        assertTrue(message.contains("topic.mapping=__consumer_offsets:consumer_offsets-restored"), message);
        assertTrue(message.contains("restore.allow.internal.topics=true"), message);
    }

    @Test
    void refusesAMappingOntoConnectsTopicsToo() {
        List<TargetTopicGuard.Refusal> refusals = GUARDED.internalTargets(List.of(plan("orders", "connect-offsets")));

        assertEquals(1, refusals.size());
        assertTrue(refusals.get(0).message().contains("Kafka Connect's config, offset or status topics"));
    }

    @Test
    void allowsInternalTargetsWhenTheUserSaysSo() {
        TargetTopicGuard allowing = new TargetTopicGuard("b1", true, false, null);

        assertEquals(List.of(), allowing.internalTargets(List.of(plan("__consumer_offsets", "__consumer_offsets"))));
    }

    @Test
    void refusesTheSourceTopicOnTheSameClusterOnly() {
        List<PartitionPlan> plans = List.of(plan("orders", "orders"), plan("payments", "payments-restored"));

        List<TargetTopicGuard.Refusal> same = GUARDED.sourceOverwrites(plans, "cluster-A", "cluster-A");
        assertEquals(1, same.size());
        String message = same.get(0).message();
        assertTrue(message.contains("Target topic 'orders' is the topic backup 'b1' was taken from"), message);
        assertTrue(message.contains("id cluster-A"), message);
        assertTrue(message.contains("topic.mapping=orders:orders-restored"), message);
        assertTrue(message.contains("restore.allow.source.overwrite=true"), message);

        assertEquals(List.of(), GUARDED.sourceOverwrites(plans, "cluster-A", "cluster-B"), "another cluster");
        assertEquals(List.of(), GUARDED.sourceOverwrites(plans, null, "cluster-A"), "backup without a cluster id");
        assertEquals(List.of(), new TargetTopicGuard("b1", false, true, null)
                .sourceOverwrites(plans, "cluster-A", "cluster-A"), "allowed");
    }

    @Test
    void asksForTheTargetClusterIdOnlyWhenATopicKeepsItsName() {
        AtomicInteger asked = new AtomicInteger();

        assertEquals(List.of(), GUARDED.check(List.of(plan("orders", "orders-copy")), "cluster-A", () -> {
            asked.incrementAndGet();
            return "cluster-A";
        }));
        assertEquals(List.of(), GUARDED.check(List.of(plan("orders", "orders")), null, () -> {
            asked.incrementAndGet();
            return "cluster-A";
        }));
        assertEquals(0, asked.get());

        assertEquals(1, GUARDED.check(List.of(plan("orders", "orders")), "cluster-A", () -> {
            asked.incrementAndGet();
            return "cluster-A";
        }).size());
        assertEquals(1, asked.get());
    }

    @Test
    void aTaskAboutToProduceStopsWithEveryRefusal() {
        ConnectException refused = assertThrows(ConnectException.class, () -> GUARDED.enforce(
                List.of(plan("orders", "orders"), plan("audit", "connect-status")), "cluster-A", () -> "cluster-A"));

        assertTrue(refused.getMessage().contains("Target topic 'connect-status'"), refused.getMessage());
        assertTrue(refused.getMessage().contains("Target topic 'orders' is the topic backup 'b1' was taken from"),
                refused.getMessage());
        GUARDED.enforce(List.of(plan("orders", "orders")), "cluster-A", () -> "cluster-B");
    }

    private static PartitionPlan plan(String source, String target) {
        return new PartitionPlan(new TopicPartition(source, 0), new TopicPartition(target, 0), List.of());
    }
}
