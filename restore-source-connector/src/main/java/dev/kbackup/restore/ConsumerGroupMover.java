package dev.kbackup.restore;

import dev.kbackup.groups.GroupOffsetCommitter;
import dev.kbackup.groups.GroupOffsetPlan;
import dev.kbackup.groups.GroupOffsetTranslator;
import dev.kbackup.groups.GroupOffsetsReport;
import dev.kbackup.layout.ClusterSnapshots;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.common.TopicPartition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * Moves the consumer groups' offsets of the partitions one task restored into the target cluster, once they are
 * restored: translates them ({@link GroupOffsetPlan}), stores the translation beside the restore's offset maps, and
 * in apply mode commits them with {@link GroupOffsetCommitter} (groups without active members in the target only).
 */
final class ConsumerGroupMover {

    private static final Logger log = LoggerFactory.getLogger(ConsumerGroupMover.class);

    private final GroupOffsetCommitter committer;
    private final RestoreObjects objects;
    private final RestoreTaskId task;

    ConsumerGroupMover(Admin admin, RestoreObjects objects, RestoreTaskId task) {
        this.committer = new GroupOffsetCommitter(admin);
        this.objects = objects;
        this.task = task;
    }

    /** Translates, stores and (in apply mode) commits; returns what was stored. */
    GroupOffsetsReport move(ClusterSnapshots.Found snapshot, Pattern groups, ConsumerGroupsMode mode,
                            List<PartitionPlan> plans, Instant now) {
        Map<TopicPartition, TopicPartition> targets = new HashMap<>();
        plans.forEach(plan -> targets.put(plan.source(), plan.target()));
        List<GroupOffsetPlan.GroupPlan> planned = GroupOffsetPlan.build(snapshot.snapshot(), groups, targets,
                objects::readLog, GroupOffsetPlan.PLANNED);
        List<GroupOffsetPlan.GroupPlan> outcome = mode == ConsumerGroupsMode.PLAN ? planned
                : planned.stream().map(this::apply).toList();
        GroupOffsetsReport report = new GroupOffsetsReport(task.backupId(), task.connectorName(), task.taskNumber(),
                mode.configName(), snapshot.key(), snapshot.snapshot().takenAt(), now, outcome);
        String location = objects.writeGroupOffsets(report);
        log.info("Consumer group offsets of task {} ({} mode, from snapshot {} taken at {}), written to {}:{}",
                task.taskNumber(), mode.configName(), snapshot.key(), snapshot.snapshot().takenAt(), location,
                describe(outcome));
        return report;
    }

    private GroupOffsetPlan.GroupPlan apply(GroupOffsetPlan.GroupPlan group) {
        GroupOffsetCommitter.Outcome outcome = committer.apply(group);
        GroupOffsetPlan.GroupPlan applied = outcome.group();
        if (GroupOffsetPlan.SKIPPED_ACTIVE_MEMBERS.equals(applied.status())) {
            log.warn("Not moving consumer group {}: it has active members in the target cluster {}. Stop its "
                    + "consumers and restart this connector (moving is idempotent) or set the offsets yourself "
                    + "from the plan", group.groupId(), applied.members());
        } else if (GroupOffsetPlan.FAILED.equals(applied.status())) {
            log.warn("Could not commit the translated offsets of consumer group {} in the target cluster: {}. "
                    + "Restart the connector to try again (moving is idempotent)", group.groupId(),
                    outcome.failure());
        }
        return applied;
    }

    private static String describe(List<GroupOffsetPlan.GroupPlan> groups) {
        if (groups.isEmpty()) {
            return " no selected group has offsets on the partitions of this task";
        }
        StringBuilder out = new StringBuilder();
        for (GroupOffsetPlan.GroupPlan group : groups) {
            Map<GroupOffsetTranslator.Derivation, Long> derivations = group.partitions().stream().collect(
                    Collectors.groupingBy(GroupOffsetPlan.PartitionOffset::derivation, TreeMap::new,
                            Collectors.counting()));
            out.append("\n  ").append(group.groupId()).append(": ").append(group.status()).append(", ")
                    .append(group.partitions().size()).append(" partitions ").append(derivations);
            if (!group.members().isEmpty()) {
                out.append(", active members ").append(group.members());
            }
        }
        return out.toString();
    }
}
