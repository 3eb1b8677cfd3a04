package dev.kbackup.groups;

import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import dev.kbackup.layout.ClusterSnapshot;
import org.apache.kafka.common.TopicPartition;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import java.util.regex.Pattern;

/**
 * Which consumer groups move and where each of their committed offsets lands in the target: the groups of the
 * snapshot that {@code restore.consumer.groups} matches, on the backed-up partitions a restore restored, each offset
 * translated by {@link GroupOffsetTranslator} with the partition's offset map and sent to the partition's target
 * (after topic.mapping and partition.mapping). No Connect types and no Kafka calls.
 */
public final class GroupOffsetPlan {

    /** A group's status: translated only; committed; left alone for its active members; the commit failed. */
    public static final String PLANNED = "PLANNED";
    public static final String APPLIED = "APPLIED";
    public static final String SKIPPED_ACTIVE_MEMBERS = "SKIPPED_ACTIVE_MEMBERS";
    public static final String FAILED = "FAILED";

    private GroupOffsetPlan() {
    }

    /** One group's translated offsets. */
    @JsonPropertyOrder({"groupId", "status", "members", "partitions"})
    public record GroupPlan(String groupId, String status, List<String> members, List<PartitionOffset> partitions) {

        public GroupPlan {
            members = members == null ? List.of() : List.copyOf(members);
            partitions = partitions == null ? List.of() : List.copyOf(partitions);
        }

        public GroupPlan withStatus(String newStatus, List<String> newMembers) {
            return new GroupPlan(groupId, newStatus, newMembers, partitions);
        }

        /** The offsets to commit: every partition with a target offset. */
        public List<PartitionOffset> committable() {
            return partitions.stream().filter(partition -> partition.targetOffset() >= 0).toList();
        }
    }

    /** One partition of a group: where it was, where it goes, how that was derived. */
    @JsonPropertyOrder({"topic", "partition", "targetTopic", "targetPartition", "originalOffset", "targetOffset",
        "derivation", "metadata"})
    public record PartitionOffset(String topic, int partition, String targetTopic, int targetPartition, long originalOffset,
                           long targetOffset, GroupOffsetTranslator.Derivation derivation, String metadata) {

        public TopicPartition target() {
            return new TopicPartition(targetTopic, targetPartition);
        }
    }

    /**
     * @param groups  which groups to move
     * @param targets the partitions the restore restored, source to target
     * @param offsets the stored offset map of a restored source partition, empty if none was stored
     * @param status  the status each group starts with
     */
    public static List<GroupPlan> build(ClusterSnapshot snapshot, Pattern groups,
                                        Map<TopicPartition, TopicPartition> targets,
                                        Function<TopicPartition, Optional<StoredTranslationLog>> offsets,
                                        String status) {
        Map<TopicPartition, Optional<StoredTranslationLog>> maps = new HashMap<>();
        List<GroupPlan> result = new ArrayList<>();
        for (ClusterSnapshot.GroupOffsets group : snapshot.groups()) {
            if (!groups.matcher(group.groupId()).matches()) {
                continue;
            }
            List<PartitionOffset> partitions = new ArrayList<>();
            for (ClusterSnapshot.CommittedOffset committed : group.offsets()) {
                TopicPartition source = new TopicPartition(committed.topic(), committed.partition());
                TopicPartition target = targets.get(source);
                if (target == null) {
                    continue; // another task restores it, or the restore leaves it out
                }
                GroupOffsetTranslator.Translation translation = maps.computeIfAbsent(source, offsets)
                        .map(log -> GroupOffsetTranslator.translate(log, committed.offset()))
                        .orElse(new GroupOffsetTranslator.Translation(committed.offset(), -1,
                                GroupOffsetTranslator.Derivation.NOTHING_RESTORED));
                partitions.add(new PartitionOffset(source.topic(), source.partition(), target.topic(),
                        target.partition(), committed.offset(), translation.targetOffset(), translation.derivation(),
                        committed.metadata()));
            }
            if (!partitions.isEmpty()) {
                result.add(new GroupPlan(group.groupId(), status, List.of(), partitions));
            }
        }
        return result;
    }
}
