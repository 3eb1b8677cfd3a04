package dev.kbackup.restore;

import dev.kbackup.layout.ClusterSnapshots;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ConsumerGroupDescription;
import org.apache.kafka.clients.admin.MemberDescription;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.KafkaFuture;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.GroupIdNotFoundException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * Moves the consumer groups' offsets of the partitions one task restored into the target cluster, once they are
 * restored: translates them ({@link GroupOffsetPlan}), stores the translation beside the restore's offset maps, and
 * in apply mode commits them to each group that has no active member in the target. A group with members is
 * reported with them and left alone. Committing the same offsets again changes nothing, so a re-run is safe.
 */
final class ConsumerGroupMover {

    private static final Logger log = LoggerFactory.getLogger(ConsumerGroupMover.class);
    private static final long TIMEOUT_SECONDS = 30;

    static final String PLANNED = "PLANNED";
    static final String APPLIED = "APPLIED";
    static final String SKIPPED_ACTIVE_MEMBERS = "SKIPPED_ACTIVE_MEMBERS";
    static final String FAILED = "FAILED";

    private final Admin admin;
    private final RestoreObjects objects;
    private final RestoreTaskId task;

    ConsumerGroupMover(Admin admin, RestoreObjects objects, RestoreTaskId task) {
        this.admin = admin;
        this.objects = objects;
        this.task = task;
    }

    /** Translates, stores and (in apply mode) commits; returns what was stored. */
    GroupOffsetsReport move(ClusterSnapshots.Found snapshot, Pattern groups, ConsumerGroupsMode mode,
                            List<PartitionPlan> plans, Instant now) {
        List<GroupOffsetPlan.GroupPlan> planned = GroupOffsetPlan.build(snapshot.snapshot(), groups, plans,
                objects::readLog, PLANNED);
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
        List<GroupOffsetPlan.PartitionOffset> committable = group.committable();
        if (committable.isEmpty()) {
            return group;
        }
        try {
            List<String> members = activeMembers(group.groupId());
            if (!members.isEmpty()) {
                log.warn("Not moving consumer group {}: it has active members in the target cluster {}. Stop its "
                        + "consumers and restart this connector (moving is idempotent) or set the offsets yourself "
                        + "from the plan", group.groupId(), members);
                return group.withStatus(SKIPPED_ACTIVE_MEMBERS, members);
            }
            Map<TopicPartition, OffsetAndMetadata> offsets = new HashMap<>();
            committable.forEach(partition -> offsets.put(partition.target(),
                    new OffsetAndMetadata(partition.targetOffset(), partition.metadata())));
            await(admin.alterConsumerGroupOffsets(group.groupId(), offsets).all());
            return group.withStatus(APPLIED, List.of());
        } catch (ExecutionException | IllegalStateException e) {
            Throwable cause = e instanceof ExecutionException ? e.getCause() : e;
            log.warn("Could not commit the translated offsets of consumer group {} in the target cluster: {}. "
                    + "Restart the connector to try again (moving is idempotent)", group.groupId(), cause.toString());
            return group.withStatus(FAILED, List.of());
        }
    }

    /** The group's members in the target, as memberId (clientId@host); none for a group that does not exist. */
    private List<String> activeMembers(String groupId) throws ExecutionException {
        ConsumerGroupDescription description;
        try {
            description = await(admin.describeConsumerGroups(List.of(groupId)).describedGroups().get(groupId));
        } catch (ExecutionException e) {
            if (e.getCause() instanceof GroupIdNotFoundException) {
                return List.of();
            }
            throw e;
        }
        List<String> members = new ArrayList<>();
        for (MemberDescription member : description.members()) {
            members.add(member.consumerId() + " (" + member.clientId() + "@" + member.host() + ")");
        }
        return members;
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

    private static <T> T await(KafkaFuture<T> future) throws ExecutionException {
        try {
            return future.get(TIMEOUT_SECONDS, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("Interrupted while moving consumer group offsets", e);
        } catch (TimeoutException e) {
            throw new IllegalStateException("The target cluster did not answer within " + TIMEOUT_SECONDS + " s", e);
        }
    }
}
