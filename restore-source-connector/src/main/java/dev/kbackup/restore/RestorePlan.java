package dev.kbackup.restore;

import dev.kbackup.format.TimeWindow;
import dev.kbackup.layout.BackupCatalog;
import dev.kbackup.layout.PartitionIndex;
import org.apache.kafka.common.TopicPartition;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.PriorityQueue;
import java.util.TreeMap;

/**
 * The whole restore, computed from the backup's catalog: every backed-up partition of the selected topics, where
 * it goes, and which segments are needed for the window. Pure data, so the connector, its validation and the tests
 * share one definition.
 */
final class RestorePlan {

    private static final Comparator<TopicPartition> ORDER =
            Comparator.comparing(TopicPartition::topic).thenComparingInt(TopicPartition::partition);

    private final List<PartitionPlan> all;

    private RestorePlan(List<PartitionPlan> all) {
        this.all = List.copyOf(all);
    }

    static RestorePlan build(Map<String, Map<Integer, PartitionIndex>> catalog, TopicSelection selection,
                             TargetRouter router, TimeWindow window) {
        List<PartitionPlan> plans = new ArrayList<>();
        catalog.forEach((topic, partitions) -> {
            if (selection.matches(topic)) {
                partitions.values().forEach(index -> plans.add(PartitionPlan.of(index, router, window)));
            }
        });
        plans.sort(Comparator.comparing(PartitionPlan::source, ORDER));
        return new RestorePlan(plans);
    }

    /**
     * The plans of a few partitions, read from the catalog objects of those partitions that overlap the window
     * and the segments stored after each catalog's last entry (a task does not need the whole catalog, and must
     * not miss what the backup completed since it last published). Partitions the backup does not hold are left
     * out.
     */
    static List<PartitionPlan> load(BackupCatalog catalog, List<TopicPartition> partitions, TargetRouter router,
                                    TimeWindow window) {
        List<PartitionPlan> plans = new ArrayList<>();
        for (TopicPartition partition : partitions) {
            PartitionIndex complete = catalog.readWindow(partition.topic(), partition.partition(), window);
            if (!complete.segments().isEmpty()) {
                plans.add(PartitionPlan.of(complete, router, window));
            }
        }
        return plans;
    }

    /** The partitions that have something to restore. */
    List<PartitionPlan> work() {
        return all.stream().filter(plan -> !plan.isEmpty()).toList();
    }

    /** Target partitions that more than one source partition would be restored to, with those sources. */
    Map<TopicPartition, List<TopicPartition>> collisions() {
        Map<TopicPartition, List<TopicPartition>> byTarget = new TreeMap<>(ORDER);
        for (PartitionPlan plan : all) {
            byTarget.computeIfAbsent(plan.target(), target -> new ArrayList<>()).add(plan.source());
        }
        byTarget.values().removeIf(sources -> sources.size() < 2);
        return byTarget;
    }

    /**
     * Partition count for each target topic if the restore creates it: one more than the highest partition
     * anything is restored to, which without partition mappings is the backed-up topic's partition count.
     */
    Map<String, Integer> targetPartitionCounts() {
        Map<String, Integer> counts = new TreeMap<>();
        for (PartitionPlan plan : all) {
            counts.merge(plan.target().topic(), plan.target().partition() + 1, Math::max);
        }
        return counts;
    }

    /**
     * Spreads the partitions with work over at most {@code maxTasks} tasks, each partition to exactly one task,
     * balancing stored bytes (largest first onto the least-loaded task). Always returns at least one (maybe empty)
     * assignment, so an empty restore still reports completion.
     */
    List<List<TopicPartition>> assign(int maxTasks) {
        List<PartitionPlan> work = new ArrayList<>(work());
        int tasks = Math.max(1, Math.min(maxTasks, work.size()));
        List<List<TopicPartition>> assignments = new ArrayList<>();
        PriorityQueue<long[]> load = new PriorityQueue<>(
                Comparator.<long[]>comparingLong(entry -> entry[0]).thenComparingLong(entry -> entry[1]));
        for (int task = 0; task < tasks; task++) {
            assignments.add(new ArrayList<>());
            load.add(new long[] {0, task});
        }
        work.sort(Comparator.comparingLong(PartitionPlan::bytes).reversed()
                .thenComparing(PartitionPlan::source, ORDER));
        for (PartitionPlan plan : work) {
            long[] least = load.poll();
            assignments.get((int) least[1]).add(plan.source());
            least[0] += Math.max(1, plan.bytes());
            load.add(least);
        }
        assignments.forEach(list -> list.sort(ORDER));
        return assignments;
    }

    /** The plans of the given partitions, in the given order. */
    Map<TopicPartition, PartitionPlan> select(List<TopicPartition> partitions) {
        Map<TopicPartition, PartitionPlan> bySource = new LinkedHashMap<>();
        for (PartitionPlan plan : all) {
            bySource.put(plan.source(), plan);
        }
        Map<TopicPartition, PartitionPlan> selected = new LinkedHashMap<>();
        for (TopicPartition partition : partitions) {
            PartitionPlan plan = bySource.get(partition);
            if (plan != null) {
                selected.put(partition, plan);
            }
        }
        return selected;
    }
}
