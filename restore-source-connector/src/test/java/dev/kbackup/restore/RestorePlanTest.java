package dev.kbackup.restore;

import dev.kbackup.format.Codec;
import dev.kbackup.format.SegmentInfo;
import dev.kbackup.format.TimeWindow;
import dev.kbackup.layout.PartitionIndex;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class RestorePlanTest {

    private static final TargetRouter IDENTITY = new TargetRouter(TopicRenames.IDENTITY, PartitionRoutes.NONE);

    @Test
    void selectsSegmentsByTheirMinAndMaxTimestampNotByTheirFirstAndLastRecord() {
        // timestamps go backwards: the second segment's range reaches back into the window
        Map<String, Map<Integer, PartitionIndex>> catalog = catalog(
                index("orders", 0, segment("orders", 0, 0, 99, 1_000, 1_999),
                        segment("orders", 0, 100, 199, 1_500, 5_000),
                        segment("orders", 0, 200, 299, 4_000, 6_000)));

        RestorePlan plan = RestorePlan.build(catalog, all(), IDENTITY, new TimeWindow(1_900, 3_000));

        assertEquals(List.of(0L, 100L), plan.work().get(0).segments().stream().map(SegmentInfo::firstOffset).toList());
    }

    @Test
    void offsetsNoSegmentHoldsAreNamedWhenTheWindowMayReachThemButRealGapsAreNot() {
        SegmentInfo first = segment("orders", 0, 0, 99, 1_000, 1_999);
        SegmentInfo afterRealGap = new SegmentInfo("k/orders/0/150", "orders", 0, Codec.ZSTD, 150, 199, 50, 2_000,
                2_999, 1000, 2000, 0, 1, 100); // 100..149 recorded as a real gap
        SegmentInfo afterLostSegment = segment("orders", 0, 300, 399, 4_000, 4_999); // 200..299 not recorded
        Map<String, Map<Integer, PartitionIndex>> catalog = catalog(index("orders", 0, first, afterRealGap,
                afterLostSegment));

        PartitionPlan all = RestorePlan.build(catalog, all(), IDENTITY, TimeWindow.ALL).work().get(0);
        assertEquals(1, all.missing().size());
        assertEquals(200, all.missing().get(0).firstOffset());
        assertEquals(299, all.missing().get(0).lastOffset());
        assertEquals(afterRealGap, all.missing().get(0).before());
        assertEquals(afterLostSegment, all.missing().get(0).after());
        PartitionPlan before = RestorePlan.build(catalog, all(), IDENTITY, new TimeWindow(1_000, 1_500)).work()
                .get(0);
        assertEquals(List.of(), before.missing(), "a window that ends before both neighbours cannot miss them");
    }

    @Test
    void restoresTheListedTopicsOrThoseMatchingTheRegexOrAll() {
        Map<String, Map<Integer, PartitionIndex>> catalog = catalog(
                index("orders", 0, segment("orders", 0, 0, 9, 0, 9)),
                index("payments", 0, segment("payments", 0, 0, 9, 0, 9)),
                index("audit", 0, segment("audit", 0, 0, 9, 0, 9)));

        assertEquals(Set.of("orders", "payments", "audit"), sources(RestorePlan.build(catalog, all(), IDENTITY,
                TimeWindow.ALL)));
        assertEquals(Set.of("audit"), sources(RestorePlan.build(catalog,
                new TopicSelection(List.of("audit"), null), IDENTITY, TimeWindow.ALL)));
        assertEquals(Set.of("orders", "payments"), sources(RestorePlan.build(catalog,
                new TopicSelection(List.of(), Pattern.compile("orders|pay.*")), IDENTITY, TimeWindow.ALL)));
        assertEquals(Set.of("ghost"), new TopicSelection(List.of("orders", "ghost"), null)
                .missingFrom(Set.of("orders", "audit", "payments")));
    }

    @Test
    void findsTargetPartitionsThatTwoSourcesWouldShare() {
        Map<String, Map<Integer, PartitionIndex>> catalog = catalog(
                index("a", 0, segment("a", 0, 0, 9, 0, 9)), index("a", 1, segment("a", 1, 0, 9, 0, 9)),
                index("b", 0, segment("b", 0, 0, 9, 0, 9)));
        TargetRouter router = new TargetRouter(TopicRenames.parse(List.of("b:a")),
                PartitionRoutes.parse(List.of("a/1:0")));

        Map<TopicPartition, List<TopicPartition>> collisions = RestorePlan.build(catalog, all(), router,
                TimeWindow.ALL).collisions();

        assertEquals(Map.of(new TopicPartition("a", 0), List.of(new TopicPartition("a", 0),
                new TopicPartition("a", 1), new TopicPartition("b", 0))), collisions);
    }

    @Test
    void createdTopicsGetTheBackedUpPartitionCountOrWhatTheMappingNeeds() {
        Map<String, Map<Integer, PartitionIndex>> catalog = catalog(
                index("orders", 0, segment("orders", 0, 0, 9, 0, 9)),
                index("orders", 5, segment("orders", 5, 0, 9, 0, 9)),
                index("audit", 1, segment("audit", 1, 0, 9, 0, 9)));
        TargetRouter router = new TargetRouter(TopicRenames.parse(List.of("orders:o2")),
                PartitionRoutes.parse(List.of("audit/1:archive/9")));

        RestorePlan plan = RestorePlan.build(catalog, all(), router, new TimeWindow(100, 200));

        assertEquals(Map.of("o2", 6, "archive", 10), plan.targetPartitionCounts());
        assertTrue(plan.work().isEmpty(), "the window holds nothing, but the counts still follow the backup");
        assertEquals(1, plan.assign(4).size());
    }

    @Test
    void spreadsPartitionsOverTasksByStoredBytesEachToExactlyOneTask() {
        List<PartitionIndex> indexes = new ArrayList<>();
        for (int p = 0; p < 10; p++) {
            indexes.add(index("t", p, sized(segment("t", p, 0, 9, 0, 9), (p + 1) * 1000L)));
        }
        RestorePlan plan = RestorePlan.build(catalog(indexes.toArray(PartitionIndex[]::new)), all(), IDENTITY,
                TimeWindow.ALL);

        List<List<TopicPartition>> tasks = plan.assign(3);

        assertEquals(3, tasks.size());
        Set<TopicPartition> seen = new HashSet<>();
        tasks.forEach(task -> task.forEach(partition -> assertTrue(seen.add(partition), "twice: " + partition)));
        assertEquals(10, seen.size());
        long[] load = tasks.stream().mapToLong(task -> task.stream().mapToLong(tp -> (tp.partition() + 1) * 1000L)
                .sum()).toArray();
        long max = Arrays.stream(load).max().orElseThrow();
        long min = Arrays.stream(load).min().orElseThrow();
        assertTrue(max - min <= 2000, Arrays.toString(load));
        assertEquals(10, plan.assign(50).size());
    }

    private static TopicSelection all() {
        return new TopicSelection(List.of(), null);
    }

    private static Set<String> sources(RestorePlan plan) {
        Set<String> topics = new HashSet<>();
        plan.work().forEach(p -> topics.add(p.source().topic()));
        return topics;
    }

    private static Map<String, Map<Integer, PartitionIndex>> catalog(PartitionIndex... indexes) {
        Map<String, Map<Integer, PartitionIndex>> catalog = new TreeMap<>();
        for (PartitionIndex index : indexes) {
            catalog.computeIfAbsent(index.topic(), t -> new TreeMap<>()).put(index.partition(), index);
        }
        return catalog;
    }

    private static PartitionIndex index(String topic, int partition, SegmentInfo... segments) {
        return new PartitionIndex(topic, partition, null, List.of(segments));
    }

    private static SegmentInfo segment(String topic, int partition, long first, long last, long minTs, long maxTs) {
        return new SegmentInfo("k/" + topic + "/" + partition + "/" + first, topic, partition, Codec.ZSTD, first,
                last, last - first + 1, minTs, maxTs, 1000, 2000, 0, 1, first);
    }

    private static SegmentInfo sized(SegmentInfo s, long size) {
        return new SegmentInfo(s.key(), s.topic(), s.partition(), s.codec(), s.firstOffset(), s.lastOffset(),
                s.recordCount(), s.minTimestamp(), s.maxTimestamp(), size, size, 0, 1, s.coversFrom());
    }
}
