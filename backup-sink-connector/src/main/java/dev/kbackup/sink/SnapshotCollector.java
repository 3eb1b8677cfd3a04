package dev.kbackup.sink;

import dev.kbackup.layout.ClusterSnapshot;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.clients.admin.GroupListing;
import org.apache.kafka.clients.admin.ListConsumerGroupOffsetsSpec;
import org.apache.kafka.clients.admin.ListGroupsOptions;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.KafkaFuture;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.TopicPartitionInfo;
import org.apache.kafka.common.acl.AccessControlEntryFilter;
import org.apache.kafka.common.acl.AclBinding;
import org.apache.kafka.common.acl.AclBindingFilter;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.errors.SecurityDisabledException;
import org.apache.kafka.common.resource.PatternType;
import org.apache.kafka.common.resource.ResourcePattern;
import org.apache.kafka.common.resource.ResourcePatternFilter;
import org.apache.kafka.common.resource.ResourceType;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Clock;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Supplier;

/**
 * Reads one {@link ClusterSnapshot} from the source cluster through the admin client: the backed-up topics'
 * descriptions and dynamic configs, the committed offsets of the selected consumer groups on those topics (the admin
 * client asks each group's coordinator), and, when asked, the ACLs on those topics and groups.
 */
final class SnapshotCollector implements Supplier<ClusterSnapshot> {

    private static final Logger log = LoggerFactory.getLogger(SnapshotCollector.class);
    private static final long TIMEOUT_SECONDS = 30;

    private final Admin admin;
    private final SnapshotScope scope;
    private final boolean acls;
    private final String backupId;
    private final Clock clock;

    SnapshotCollector(Admin admin, SnapshotScope scope, boolean acls, String backupId, Clock clock) {
        this.admin = admin;
        this.scope = scope;
        this.acls = acls;
        this.backupId = backupId;
        this.clock = clock;
    }

    /** @throws IllegalStateException naming what could not be read */
    @Override
    public ClusterSnapshot get() {
        var takenAt = clock.instant();
        String clusterId = await(admin.describeCluster().clusterId(), "the cluster id");
        Set<String> topics = scope.backedUpTopics(await(admin.listTopics().names(), "the topic names"));
        Map<String, TopicDescription> descriptions = topics.isEmpty() ? Map.of()
                : new TreeMap<>(await(admin.describeTopics(topics).allTopicNames(), "the backed-up topics"));
        List<ClusterSnapshot.TopicSnapshot> topicSnapshots = topicSnapshots(descriptions);
        List<TopicPartition> partitions = new ArrayList<>();
        descriptions.values().forEach(description -> description.partitions().stream()
                .sorted(Comparator.comparingInt(TopicPartitionInfo::partition))
                .forEach(info -> partitions.add(new TopicPartition(description.name(), info.partition()))));
        Set<String> groups = selectedGroups();
        List<ClusterSnapshot.GroupOffsets> offsets = groupOffsets(groups, partitions);
        return new ClusterSnapshot(ClusterSnapshot.FORMAT_VERSION, backupId, takenAt, clusterId, topicSnapshots,
                offsets, acls ? acls(topics, groups) : null);
    }

    private List<ClusterSnapshot.TopicSnapshot> topicSnapshots(Map<String, TopicDescription> descriptions) {
        if (descriptions.isEmpty()) {
            return List.of();
        }
        List<ConfigResource> resources = descriptions.keySet().stream()
                .map(topic -> new ConfigResource(ConfigResource.Type.TOPIC, topic)).toList();
        Map<ConfigResource, Config> configs = await(admin.describeConfigs(resources).all(), "the topic configs");
        List<ClusterSnapshot.TopicSnapshot> snapshots = new ArrayList<>();
        for (TopicDescription description : descriptions.values()) {
            Map<String, String> set = new TreeMap<>();
            Config config = configs.get(new ConfigResource(ConfigResource.Type.TOPIC, description.name()));
            if (config != null) {
                for (ConfigEntry entry : config.entries()) {
                    // only what was set on the topic: defaults follow the target's brokers
                    if (entry.source() == ConfigEntry.ConfigSource.DYNAMIC_TOPIC_CONFIG && entry.value() != null
                            && !entry.isSensitive() && SnapshotScope.keepsConfig(entry.name())) {
                        set.put(entry.name(), entry.value());
                    }
                }
            }
            int replication = description.partitions().isEmpty() ? -1
                    : description.partitions().get(0).replicas().size();
            snapshots.add(new ClusterSnapshot.TopicSnapshot(description.name(), description.partitions().size(),
                    replication, set));
        }
        return snapshots;
    }

    private Set<String> selectedGroups() {
        Collection<GroupListing> listings = await(admin.listGroups(ListGroupsOptions.forConsumerGroups()).all(),
                "the consumer groups");
        Set<String> groups = new TreeSet<>();
        for (GroupListing listing : listings) {
            if (scope.includesGroup(listing.groupId())) {
                groups.add(listing.groupId());
            }
        }
        return groups;
    }

    private List<ClusterSnapshot.GroupOffsets> groupOffsets(Set<String> groups, List<TopicPartition> partitions) {
        if (groups.isEmpty() || partitions.isEmpty()) {
            return List.of();
        }
        Map<String, ListConsumerGroupOffsetsSpec> specs = new TreeMap<>();
        groups.forEach(group -> specs.put(group, new ListConsumerGroupOffsetsSpec().topicPartitions(partitions)));
        Map<String, Map<TopicPartition, OffsetAndMetadata>> all =
                await(admin.listConsumerGroupOffsets(specs).all(), "the consumer groups' committed offsets");
        List<ClusterSnapshot.GroupOffsets> result = new ArrayList<>();
        for (String group : groups) {
            List<ClusterSnapshot.CommittedOffset> committed = new ArrayList<>();
            Map<TopicPartition, OffsetAndMetadata> offsets = all.getOrDefault(group, Map.of());
            for (TopicPartition partition : partitions) { // partitions are in topic, partition order
                OffsetAndMetadata offset = offsets.get(partition);
                if (offset != null) { // null: the group has no offset for this partition
                    committed.add(new ClusterSnapshot.CommittedOffset(partition.topic(), partition.partition(),
                            offset.offset(), offset.metadata()));
                }
            }
            if (!committed.isEmpty()) {
                result.add(new ClusterSnapshot.GroupOffsets(group, committed));
            }
        }
        return result;
    }

    private List<ClusterSnapshot.AclEntry> acls(Set<String> topics, Set<String> groups) {
        Collection<AclBinding> bindings;
        try {
            bindings = admin.describeAcls(new AclBindingFilter(ResourcePatternFilter.ANY,
                    AccessControlEntryFilter.ANY)).values().get(TIMEOUT_SECONDS, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof SecurityDisabledException) {
                return List.of(); // no authorizer: there are no ACLs
            }
            // the offsets and configs matter more than the ACLs: keep the snapshot, say what is missing
            log.warn("Could not read the ACLs for the snapshot (it is stored without them, acls=null): {}. Grant "
                    + "DESCRIBE on the cluster resource to the principal of cluster.* to snapshot ACLs",
                    e.getCause().toString());
            return null;
        } catch (TimeoutException e) {
            log.warn("The cluster did not answer within {} s while reading the ACLs; the snapshot is stored "
                    + "without them (acls=null)", TIMEOUT_SECONDS);
            return null;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("Interrupted while reading the ACLs", e);
        }
        List<ClusterSnapshot.AclEntry> entries = new ArrayList<>();
        for (AclBinding binding : bindings) {
            if (concerns(binding.pattern(), topics, groups)) {
                entries.add(new ClusterSnapshot.AclEntry(binding.pattern().resourceType().name(),
                        binding.pattern().name(), binding.pattern().patternType().name(),
                        binding.entry().principal(), binding.entry().host(), binding.entry().operation().name(),
                        binding.entry().permissionType().name()));
            }
        }
        return entries;
    }

    /** True for a topic or group pattern that matches one of the backed-up topics or snapshotted groups. */
    static boolean concerns(ResourcePattern pattern, Set<String> topics, Set<String> groups) {
        Set<String> names = pattern.resourceType() == ResourceType.TOPIC ? topics
                : pattern.resourceType() == ResourceType.GROUP ? groups : Set.of();
        for (String name : names) {
            boolean matches = pattern.patternType() == PatternType.PREFIXED ? name.startsWith(pattern.name())
                    : pattern.name().equals(ResourcePattern.WILDCARD_RESOURCE) || pattern.name().equals(name);
            if (matches) {
                return true;
            }
        }
        return false;
    }

    private static <T> T await(KafkaFuture<T> future, String what) {
        try {
            return future.get(TIMEOUT_SECONDS, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("Interrupted while reading " + what, e);
        } catch (ExecutionException e) {
            throw new IllegalStateException("Could not read " + what + ": " + e.getCause(), e.getCause());
        } catch (TimeoutException e) {
            throw new IllegalStateException("The cluster did not answer within " + TIMEOUT_SECONDS + " s while "
                    + "reading " + what, e);
        }
    }
}
