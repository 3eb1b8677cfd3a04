package dev.kbackup.restore;

import dev.kbackup.format.SegmentInfo;
import dev.kbackup.format.TimeWindow;
import dev.kbackup.layout.ClusterSnapshot;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.KafkaFuture;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;
import org.apache.kafka.connect.errors.ConnectException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.stream.Collectors;

/**
 * Makes sure every target partition a task writes to exists before it writes anything: a missing topic is
 * created (when allowed) with the restore's partition count, and a missing topic, one with too few partitions or one
 * whose time retention would delete the restored records at once stops the task with a message that says which
 * topic, what it has, what it needs and how to fix it. It returns once every target partition has a leader.
 */
final class TargetTopics {

    private static final Logger log = LoggerFactory.getLogger(TargetTopics.class);
    private static final long TIMEOUT_SECONDS = 60;

    private final Admin admin;
    private final boolean create;
    private final short replicationFactor;
    private final PartitionLeaders leaders;
    private final Map<String, ClusterSnapshot.TopicSnapshot> backedUp;
    private final String snapshotKey;

    /** @param replicationFactor for created topics; -1 for the broker's default */
    TargetTopics(Admin admin, boolean create, short replicationFactor) {
        this(admin, create, replicationFactor, Map.of(), null);
    }

    /**
     * @param backedUp    per target topic, the snapshot of the backed-up topic restored into it: created topics get
     *                    its partition count and configs, and existing ones are checked against it (when creating)
     * @param snapshotKey where that snapshot was read from, for messages (null without one)
     */
    TargetTopics(Admin admin, boolean create, short replicationFactor,
                 Map<String, ClusterSnapshot.TopicSnapshot> backedUp, String snapshotKey) {
        this.admin = admin;
        this.create = create;
        this.replicationFactor = replicationFactor;
        this.leaders = PartitionLeaders.of(admin, TimeUnit.SECONDS.toMillis(TIMEOUT_SECONDS));
        this.backedUp = Map.copyOf(backedUp);
        this.snapshotKey = snapshotKey;
    }

    /**
     * @param plans          what the task writes: source to target partition
     * @param createCounts   partitions to give each target topic if the restore creates it
     * @param window         the restore window, to know the oldest timestamp written
     * @param nowMs          the current time, for the retention check
     */
    void prepare(Collection<PartitionPlan> plans, Map<String, Integer> createCounts, TimeWindow window, long nowMs) {
        Map<String, PartitionPlan> highest = new TreeMap<>();
        for (PartitionPlan plan : plans) {
            highest.merge(plan.target().topic(), plan,
                    (a, b) -> a.target().partition() >= b.target().partition() ? a : b);
        }
        if (highest.isEmpty()) {
            return;
        }
        Map<String, Integer> existing = describe(highest.keySet());
        if (create) {
            checkAgainstSnapshot(existing);
        }
        for (Map.Entry<String, PartitionPlan> entry : highest.entrySet()) {
            String topic = entry.getKey();
            PartitionPlan widest = entry.getValue();
            int needed = widest.target().partition() + 1;
            Integer partitions = existing.get(topic);
            if (partitions == null) {
                int count = Math.max(needed, createCounts.getOrDefault(topic, needed));
                if (!create) {
                    throw new ConnectException("Target topic '" + topic + "' does not exist. The restore writes "
                            + widest.source() + " of the backup to partition " + widest.target().partition()
                            + " of it, so it needs at least " + needed + " partitions. Create it (e.g. with " + count
                            + " partitions, as the backup has), set " + RestoreConfig.CREATE_TOPICS
                            + "=true to let the restore create it, or restore into an existing topic with "
                            + RestoreConfig.TOPIC_MAPPING + ".");
                }
                partitions = createTopic(topic, SnapshotTopicSettings.creation(backedUp.get(topic), count));
            }
            if (partitions < needed) {
                throw new ConnectException("Target topic '" + topic + "' has " + partitions + " partitions, but the "
                        + "restore writes " + widest.source() + " of the backup to partition "
                        + widest.target().partition() + ", so it needs at least " + needed + ". Add partitions "
                        + "(kafka-topics.sh --alter --topic " + topic + " --partitions " + needed + "), restore into "
                        + "another topic with " + RestoreConfig.TOPIC_MAPPING + ", or send the extra partitions "
                        + "elsewhere with " + RestoreConfig.PARTITION_MAPPING + ".");
            }
        }
        // a topic created a moment ago (here or by another task) has no leaders yet: producing would only retry
        leaders.await(plans.stream().map(PartitionPlan::target).collect(Collectors.toSet()));
        checkRetention(oldestTimestamps(plans, window), nowMs);
    }

    /**
     * The end offset of each of {@code partitions}, to compare with what an earlier run wrote there. Only a warning
     * depends on it, so a failure to read them is logged and leaves them out.
     */
    Map<TopicPartition, Long> endOffsets(Collection<TopicPartition> partitions) {
        if (partitions.isEmpty()) {
            return Map.of();
        }
        Map<TopicPartition, OffsetSpec> latest = new HashMap<>();
        partitions.forEach(partition -> latest.put(partition, OffsetSpec.latest()));
        Map<TopicPartition, Long> ends = new HashMap<>();
        try {
            await(admin.listOffsets(latest).all()).forEach((partition, info) -> ends.put(partition, info.offset()));
        } catch (ExecutionException | ConnectException e) {
            log.warn("Could not read the end offsets of the target partitions {} (not checking that they still hold "
                    + "what earlier runs restored): {}", partitions, e.getCause() == null ? e : e.getCause());
        }
        return ends;
    }

    /** Per target topic, the oldest timestamp the restore may write to it. */
    private static Map<String, Long> oldestTimestamps(Collection<PartitionPlan> plans, TimeWindow window) {
        Map<String, Long> oldest = new TreeMap<>();
        for (PartitionPlan plan : plans) {
            plan.segments().stream().mapToLong(SegmentInfo::minTimestamp).min().ifPresent(min ->
                    oldest.merge(plan.target().topic(), Math.max(min, window.start()), Math::min));
        }
        return oldest;
    }

    /**
     * A topic that deletes by time would drop restored records older than its retention.ms as soon as the broker
     * next checks: the restore would report success and the data would vanish. Refuse to start instead.
     */
    private void checkRetention(Map<String, Long> oldestByTopic, long nowMs) {
        if (oldestByTopic.isEmpty()) {
            return;
        }
        List<ConfigResource> resources = oldestByTopic.keySet().stream()
                .map(topic -> new ConfigResource(ConfigResource.Type.TOPIC, topic)).toList();
        Map<ConfigResource, Config> configs = describeConfigs(resources);
        for (Map.Entry<ConfigResource, Config> entry : configs.entrySet()) {
            String topic = entry.getKey().name();
            Config config = entry.getValue();
            if ("LogAppendTime".equalsIgnoreCase(value(config, TopicConfig.MESSAGE_TIMESTAMP_TYPE_CONFIG))) {
                log.warn("Target topic {} has message.timestamp.type=LogAppendTime: the broker replaces the restored "
                        + "records' original timestamps with the time of the restore", topic);
                continue;
            }
            String policy = value(config, TopicConfig.CLEANUP_POLICY_CONFIG);
            String retention = value(config, TopicConfig.RETENTION_MS_CONFIG);
            if (policy == null || !policy.contains(TopicConfig.CLEANUP_POLICY_DELETE) || retention == null) {
                continue;
            }
            long retentionMs = Long.parseLong(retention.trim());
            long oldest = oldestByTopic.get(topic);
            if (retentionMs >= 0 && oldest < nowMs - retentionMs) {
                throw new ConnectException("Target topic '" + topic + "' deletes records older than retention.ms="
                        + retentionMs + " (" + Duration.ofMillis(retentionMs) + "), but the restore writes records "
                        + "from " + Instant.ofEpochMilli(oldest) + " (" + Duration.ofMillis(nowMs - oldest).toDays()
                        + " days ago): the broker would delete them right after they are written. Raise the topic's "
                        + "retention for the restore (kafka-configs.sh --alter --entity-type topics --entity-name "
                        + topic + " --add-config retention.ms=-1), restore a later window with "
                        + RestoreConfig.TIME_START + ", or restore into a new topic with " + RestoreConfig.CREATE_TOPICS
                        + "=true (created with retention.ms=-1).");
            }
        }
    }

    /** Topic configs; a topic created a moment ago may take the brokers a little while to know. */
    private Map<ConfigResource, Config> describeConfigs(List<ConfigResource> resources) {
        long deadline = System.currentTimeMillis() + TimeUnit.SECONDS.toMillis(TIMEOUT_SECONDS);
        while (true) {
            try {
                return await(admin.describeConfigs(resources).all());
            } catch (ExecutionException e) {
                if (!(e.getCause() instanceof UnknownTopicOrPartitionException)
                        || System.currentTimeMillis() > deadline) {
                    throw new ConnectException("Could not read the configuration of the target topics "
                            + resources.stream().map(ConfigResource::name).toList() + ": " + e.getCause(),
                            e.getCause());
                }
            }
            pause();
        }
    }

    private static void pause() {
        try {
            Thread.sleep(100);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ConnectException("Interrupted while checking target topics", e);
        }
    }

    private static String value(Config config, String name) {
        ConfigEntry entry = config.get(name);
        return entry == null ? null : entry.value();
    }

    /**
     * Existing targets whose cleanup.policy or partition count differ from the backed-up topic's stop the task
     * before anything is produced: compacting a deleting topic's records, or spreading keys over fewer partitions,
     * changes what the restored data means.
     */
    private void checkAgainstSnapshot(Map<String, Integer> existing) {
        List<String> compared = existing.keySet().stream().filter(backedUp::containsKey).sorted().toList();
        if (compared.isEmpty()) {
            return;
        }
        Map<ConfigResource, Config> configs = describeConfigs(compared.stream()
                .map(topic -> new ConfigResource(ConfigResource.Type.TOPIC, topic)).toList());
        List<String> conflicts = new ArrayList<>();
        for (String topic : compared) {
            Config config = configs.get(new ConfigResource(ConfigResource.Type.TOPIC, topic));
            SnapshotTopicSettings.conflict(topic, backedUp.get(topic),
                    config == null ? null : value(config, TopicConfig.CLEANUP_POLICY_CONFIG), existing.get(topic))
                    .ifPresent(conflicts::add);
        }
        if (!conflicts.isEmpty()) {
            throw new ConnectException("Existing target topics do not match the backed-up topics in snapshot "
                    + snapshotKey + ": " + String.join("; ", conflicts) + ". Nothing was restored. Delete and let "
                    + "the restore create them (" + RestoreConfig.CREATE_TOPICS + "=true), change them to match, or "
                    + "restore into new topics with " + RestoreConfig.TOPIC_MAPPING + ".");
        }
    }

    private int createTopic(String topic, SnapshotTopicSettings.Creation creation) {
        Optional<Short> replication = replicationFactor < 0 ? Optional.empty() : Optional.of(replicationFactor);
        // the target cluster may have fewer brokers than the source: its default, unless the user says otherwise
        ClusterSnapshot.TopicSnapshot source = backedUp.get(topic);
        int partitions = creation.partitions();
        try {
            // restored records keep their original timestamps: a time-based retention would delete old ones at once
            NewTopic newTopic = new NewTopic(topic, Optional.of(partitions), replication)
                    .configs(creation.configs());
            await(admin.createTopics(List.of(newTopic)).all());
            log.info("Created target topic {} with {} partitions, replication factor {} and configs {}{} "
                    + "(retention.ms=-1: restored records keep their original timestamps; set the retention you want "
                    + "once the restore is done){}", topic, partitions,
                    replication.map(String::valueOf).orElse("of the broker's default"), creation.configs(),
                    source == null ? "" : " from snapshot " + snapshotKey,
                    creation.leftOut().isEmpty() ? "" : "; left out of the backed-up configs: " + creation.leftOut());
            return partitions;
        } catch (ExecutionException e) {
            if (e.getCause() instanceof TopicExistsException) {
                // another task of this restore created it first
                return awaitPartitions(topic);
            }
            throw new ConnectException("Could not create target topic '" + topic + "' with " + partitions
                    + " partitions: " + e.getCause().getMessage() + ". Create it yourself or check that the "
                    + "restore's cluster principal may create topics", e.getCause());
        }
    }

    /** Partition count of a topic that was just created, once the cluster's metadata shows its partitions. */
    private int awaitPartitions(String topic) {
        long deadline = System.currentTimeMillis() + TimeUnit.SECONDS.toMillis(TIMEOUT_SECONDS);
        while (true) {
            int partitions = describe(Set.of(topic)).getOrDefault(topic, 0);
            if (partitions > 0 || System.currentTimeMillis() > deadline) {
                return partitions;
            }
            pause();
        }
    }

    /** Partition count of each of {@code topics} that exists (listed first, so missing ones are not an error). */
    private Map<String, Integer> describe(Set<String> topics) {
        Set<String> existing;
        try {
            existing = new TreeSet<>(await(admin.listTopics().names()));
        } catch (ExecutionException e) {
            throw new ConnectException("Could not list the topics of the target cluster: " + e.getCause().getMessage(),
                    e.getCause());
        }
        existing.retainAll(topics);
        Map<String, Integer> counts = new HashMap<>();
        if (existing.isEmpty()) {
            return counts;
        }
        Map<String, KafkaFuture<TopicDescription>> futures = admin.describeTopics(existing).topicNameValues();
        for (Map.Entry<String, KafkaFuture<TopicDescription>> entry : futures.entrySet()) {
            try {
                counts.put(entry.getKey(), await(entry.getValue()).partitions().size());
            } catch (ExecutionException e) {
                if (!(e.getCause() instanceof UnknownTopicOrPartitionException)) {
                    throw new ConnectException("Could not describe target topic '" + entry.getKey() + "': "
                            + e.getCause().getMessage(), e.getCause());
                }
            }
        }
        return counts;
    }

    private static <T> T await(KafkaFuture<T> future) throws ExecutionException {
        try {
            return future.get(TIMEOUT_SECONDS, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ConnectException("Interrupted while checking target topics", e);
        } catch (TimeoutException e) {
            throw new ConnectException("The Kafka cluster did not answer within " + TIMEOUT_SECONDS + " s while "
                    + "checking target topics; check cluster.bootstrap.servers and the cluster.* security settings",
                    e);
        }
    }
}
