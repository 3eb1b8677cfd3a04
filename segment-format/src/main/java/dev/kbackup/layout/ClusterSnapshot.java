package dev.kbackup.layout;

import com.fasterxml.jackson.annotation.JsonPropertyOrder;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * What the backup recorded about the source cluster at one moment, beside the segments: the committed offsets of
 * consumer groups on the backed-up topics, each backed-up topic's partition count, replication factor and the configs
 * set on it, and (when asked for) the ACLs that concern them. Stored once and never changed, see
 * {@link ClusterSnapshots}; plain data so that a restore and an operator tool read it alike.
 *
 * @param acls null when the backup was not asked to snapshot ACLs ({@code snapshot.acls=false}) or could not
 *             read them (logged); a list, possibly empty, when it read them
 */
@JsonPropertyOrder({"formatVersion", "backupId", "takenAt", "clusterId", "topics", "groups", "acls"})
public record ClusterSnapshot(int formatVersion, String backupId, Instant takenAt, String clusterId,
                              List<TopicSnapshot> topics, List<GroupOffsets> groups, List<AclEntry> acls) {

    public static final int FORMAT_VERSION = 1;

    public ClusterSnapshot {
        topics = topics == null ? List.of() : List.copyOf(topics);
        groups = groups == null ? List.of() : List.copyOf(groups);
        acls = acls == null ? null : List.copyOf(acls);
    }

    /** The snapshot of one backed-up topic, or empty if the snapshot does not know it. */
    public Optional<TopicSnapshot> topic(String name) {
        return topics.stream().filter(topic -> topic.name().equals(name)).findFirst();
    }

    /**
     * One backed-up topic. {@code configs} holds only what was set on the topic itself (dynamic topic configs), not
     * broker defaults and not settings that name source brokers.
     */
    @JsonPropertyOrder({"name", "partitions", "replicationFactor", "configs"})
    public record TopicSnapshot(String name, int partitions, int replicationFactor, Map<String, String> configs) {

        public TopicSnapshot {
            configs = configs == null ? Map.of() : new TreeMap<>(configs);
        }
    }

    /** The committed offsets of one consumer group on the backed-up topics. */
    @JsonPropertyOrder({"groupId", "offsets"})
    public record GroupOffsets(String groupId, List<CommittedOffset> offsets) {

        public GroupOffsets {
            offsets = offsets == null ? List.of() : List.copyOf(offsets);
        }
    }

    /** The offset of the next record the group would read in one partition, and its commit metadata. */
    @JsonPropertyOrder({"topic", "partition", "offset", "metadata"})
    public record CommittedOffset(String topic, int partition, long offset, String metadata) {
    }

    /** One ACL binding, in Kafka's own names (e.g. TOPIC, LITERAL, User:alice, *, READ, ALLOW). */
    @JsonPropertyOrder({"resourceType", "resourceName", "patternType", "principal", "host", "operation",
        "permission"})
    public record AclEntry(String resourceType, String resourceName, String patternType, String principal,
                           String host, String operation, String permission) {
    }
}
