package dev.kbackup.restore;

import dev.kbackup.groups.GroupOffsetPlan.GroupPlan;
import dev.kbackup.groups.GroupOffsetPlan.PartitionOffset;
import dev.kbackup.groups.GroupOffsetPlan;
import dev.kbackup.groups.GroupOffsetTranslator.Derivation;
import dev.kbackup.groups.StoredTranslationLog;
import dev.kbackup.layout.ClusterSnapshot;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;

class GroupOffsetPlanTest {

    private static final TopicPartition ORDERS_0 = new TopicPartition("orders", 0);
    private static final TopicPartition ORDERS_1 = new TopicPartition("orders", 1);

    @Test
    void translatesTheSelectedGroupsOnThisTasksPartitionsIntoTheirTargets() {
        ClusterSnapshot snapshot = snapshot(
                group("billing", offset("orders", 0, 30, "m1"), offset("orders", 1, 5, ""),
                        offset("orders", 7, 3, "")),
                group("shipping", offset("orders", 0, 10, "")),
                group("audit", offset("orders", 0, 12, "")));
        // this task restored orders/0 into orders-copy/2 and orders/1 into orders-copy/1; orders/7 is another task's
        Map<TopicPartition, TopicPartition> plans = Map.of(ORDERS_0, new TopicPartition("orders-copy", 2),
                ORDERS_1, new TopicPartition("orders-copy", 1));
        Map<TopicPartition, StoredTranslationLog> maps = Map.of(ORDERS_0, restored(ORDERS_0, 20, 39, 100));

        List<GroupPlan> groups = GroupOffsetPlan.build(snapshot, Pattern.compile("billing|shipping"), plans,
                source -> Optional.ofNullable(maps.get(source)), "PLANNED");

        assertEquals(List.of(
                new GroupPlan("billing", "PLANNED", List.of(), List.of(
                        new PartitionOffset("orders", 0, "orders-copy", 2, 30, 110, Derivation.EXACT, "m1"),
                        new PartitionOffset("orders", 1, "orders-copy", 1, 5, -1, Derivation.NOTHING_RESTORED, ""))),
                new GroupPlan("shipping", "PLANNED", List.of(), List.of(
                        new PartitionOffset("orders", 0, "orders-copy", 2, 10, 100, Derivation.FIRST_RESTORED,
                                "")))), groups);
        assertEquals(1, groups.get(0).committable().size(), "a partition with nothing restored gets no offset");
    }

    @Test
    void aGroupWithNoOffsetOnThisTasksPartitionsIsLeftOut() {
        ClusterSnapshot snapshot = snapshot(group("billing", offset("payments", 0, 3, "")));

        assertEquals(List.of(), GroupOffsetPlan.build(snapshot, Pattern.compile(".*"),
                Map.of(ORDERS_0, ORDERS_0), source -> Optional.empty(), "PLANNED"));
    }

    private static StoredTranslationLog restored(TopicPartition source, long first, long last, long firstTarget) {
        OffsetTranslationLog log = new OffsetTranslationLog("b1", source, source);
        for (long original = first; original <= last; original++) {
            log.record(original, firstTarget + original - first, 1);
        }
        return log.snapshot(Instant.EPOCH);
    }

    private static ClusterSnapshot snapshot(ClusterSnapshot.GroupOffsets... groups) {
        return new ClusterSnapshot(1, "b1", Instant.EPOCH, "c", List.of(), List.of(groups), null);
    }

    private static ClusterSnapshot.GroupOffsets group(String id, ClusterSnapshot.CommittedOffset... offsets) {
        return new ClusterSnapshot.GroupOffsets(id, List.of(offsets));
    }

    private static ClusterSnapshot.CommittedOffset offset(String topic, int partition, long offset, String metadata) {
        return new ClusterSnapshot.CommittedOffset(topic, partition, offset, metadata);
    }
}
