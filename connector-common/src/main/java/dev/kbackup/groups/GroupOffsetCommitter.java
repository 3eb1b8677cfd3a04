package dev.kbackup.groups;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ConsumerGroupDescription;
import org.apache.kafka.clients.admin.MemberDescription;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.KafkaFuture;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.GroupIdNotFoundException;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Commits a group's translated offsets in the target cluster when the group has no active member there; a group
 * with members is left alone and reported with them. Committing the same offsets again changes nothing, so a re-run
 * is safe.
 */
public final class GroupOffsetCommitter {

    private static final long TIMEOUT_SECONDS = 30;

    /** The group with its new status, and for {@link GroupOffsetPlan#FAILED} why. */
    public record Outcome(GroupOffsetPlan.GroupPlan group, String failure) {
    }

    private final Admin admin;

    public GroupOffsetCommitter(Admin admin) {
        this.admin = admin;
    }

    public Outcome apply(GroupOffsetPlan.GroupPlan group) {
        List<GroupOffsetPlan.PartitionOffset> committable = group.committable();
        if (committable.isEmpty()) {
            return new Outcome(group, null);
        }
        try {
            List<String> members = activeMembers(group.groupId());
            if (!members.isEmpty()) {
                return new Outcome(group.withStatus(GroupOffsetPlan.SKIPPED_ACTIVE_MEMBERS, members), null);
            }
            Map<TopicPartition, OffsetAndMetadata> offsets = new HashMap<>();
            committable.forEach(partition -> offsets.put(partition.target(),
                    new OffsetAndMetadata(partition.targetOffset(), partition.metadata())));
            await(admin.alterConsumerGroupOffsets(group.groupId(), offsets).all());
            return new Outcome(group.withStatus(GroupOffsetPlan.APPLIED, List.of()), null);
        } catch (ExecutionException | IllegalStateException e) {
            Throwable cause = e instanceof ExecutionException ? e.getCause() : e;
            return new Outcome(group.withStatus(GroupOffsetPlan.FAILED, List.of()), cause.toString());
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
