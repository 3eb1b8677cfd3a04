package dev.kbackup.restore;

import dev.kbackup.config.BackupIdConfigKeys;
import dev.kbackup.config.ClusterConfigKeys;
import dev.kbackup.encryption.EncryptionConfigKeys;
import dev.kbackup.format.EncryptionKeys;
import dev.kbackup.format.TimeWindow;
import dev.kbackup.layout.BackupLayout;
import dev.kbackup.storage.StorageConfigKeys;
import dev.kbackup.storage.StorageSettings;
import org.apache.kafka.common.config.AbstractConfig;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigDef.Importance;
import org.apache.kafka.common.config.ConfigDef.Type;
import org.apache.kafka.common.config.ConfigDef.Width;
import org.apache.kafka.common.config.ConfigException;

import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/** The restore connector's settings: one documented ConfigDef and typed accessors. */
public class RestoreConfig extends AbstractConfig {

    public static final String BACKUP_ID = BackupIdConfigKeys.BACKUP_ID;
    public static final String TOPICS = "topics";
    public static final String TOPICS_REGEX = "topics.regex";
    public static final String TIME_START = "restore.time.start";
    public static final String TIME_END = "restore.time.end";
    public static final String MODE = "restore.mode";
    public static final String FOLLOW_POLL_INTERVAL_MS = "restore.follow.poll.interval.ms";
    public static final String TOPIC_MAPPING = "topic.mapping";
    public static final String PARTITION_MAPPING = "partition.mapping";
    public static final String ORIGINAL_HEADERS = "restore.original.headers";
    public static final String CREATE_TOPICS = "restore.create.topics";
    public static final String REPLICATION_FACTOR = "restore.replication.factor";
    /** The older name of {@link #REPLICATION_FACTOR}, still read when that is not set. */
    public static final String CREATE_TOPICS_REPLICATION_FACTOR = "restore.create.topics.replication.factor";
    public static final String CONSUMER_GROUPS = "restore.consumer.groups";
    public static final String CONSUMER_GROUPS_MODE = "restore.consumer.groups.mode";
    public static final String MAX_BYTES_PER_SECOND = "restore.max.bytes.per.second";
    public static final String PREFETCH_BYTES = "restore.prefetch.bytes";
    public static final String BATCH_MAX_RECORDS = "restore.batch.max.records";
    public static final String CORRUPT_SEGMENT_POLICY = "restore.corrupt.segment.policy";
    public static final String ALLOW_INTERNAL_TOPICS = "restore.allow.internal.topics";
    public static final String ALLOW_SOURCE_OVERWRITE = "restore.allow.source.overwrite";

    /** Connect's own name key, present in every connector config. */
    static final String CONNECTOR_NAME = "name";

    static final String GROUP_SELECTION = "What to restore";
    static final String GROUP_TARGET = "Where to restore";
    static final String GROUP_PERFORMANCE = "Performance";
    static final String GROUP_INTEGRITY = "Integrity";

    static final long DEFAULT_PREFETCH_BYTES = 64L * 1024 * 1024;
    static final long MIN_PREFETCH_BYTES = 1024 * 1024;
    static final int DEFAULT_BATCH_MAX_RECORDS = 2000;

    public static final ConfigDef CONFIG_DEF = configDef();

    public RestoreConfig(Map<String, String> props) {
        this(CONFIG_DEF, props);
    }

    protected RestoreConfig(ConfigDef def, Map<String, String> props) {
        super(def, props, false);
    }

    public static ConfigDef configDef() {
        ConfigDef def = new ConfigDef();
        BackupIdConfigKeys.define(def, "Name of the backup to restore, as the backup connector's backup.id. Its "
                + "manifest must exist at {storage.prefix}{backup.id}/manifest.json in the configured storage.");
        StorageConfigKeys.define(def);
        EncryptionConfigKeys.define(def);

        int order = 0;
        def.define(TOPICS, Type.LIST, "", Importance.HIGH,
                "Backed-up topics to restore, comma-separated. Leave empty (and topics.regex unset) to restore every "
                        + "topic of the backup. Each listed topic must be in the backup.",
                GROUP_SELECTION, ++order, Width.LONG, "Topics");
        def.define(TOPICS_REGEX, Type.STRING, null, new RegexValidator(), Importance.HIGH,
                "Java regular expression of the backed-up topics to restore (whole-name match), instead of topics.",
                GROUP_SELECTION, ++order, Width.LONG, "Topics regex");
        def.define(TIME_START, Type.STRING, null, WindowBounds.validator(), Importance.HIGH,
                "Restore only records with a timestamp at or after this instant (inclusive). Epoch milliseconds or an "
                        + "ISO-8601 date-time with zone, e.g. 2026-11-23T10:00:00Z. Unset: no lower bound. Segments "
                        + "and blocks outside the window are skipped using their min/max timestamps; every record is "
                        + "checked, with millisecond precision.",
                GROUP_SELECTION, ++order, Width.MEDIUM, "Window start");
        def.define(TIME_END, Type.STRING, null, WindowBounds.validator(), Importance.HIGH,
                "Restore only records with a timestamp before this instant (exclusive). Same formats as "
                        + "restore.time.start. Unset: no upper bound.",
                GROUP_SELECTION, ++order, Width.MEDIUM, "Window end");
        def.define(MODE, Type.STRING, RestoreMode.ONCE.configName(),
                ConfigDef.CaseInsensitiveValidString.in("once", "follow"), Importance.MEDIUM,
                "'once' restores what the backup holds when each task starts, writes the summary and idles. "
                        + "'follow' keeps going, for migrations: every restore.follow.poll.interval.ms each task "
                        + "reads the catalog objects of its partitions that the backup published after the last "
                        + "segment it planned, and restores the new segments in offset order. A following restore "
                        + "never completes: it writes no summary and moves no consumer groups; its progress is in "
                        + "the follow-lag-records and follow-lag-ms metrics. Needs an open window end "
                        + "(restore.time.end unset). Only partitions that had segments when the connector started "
                        + "are followed.",
                GROUP_SELECTION, ++order, Width.SHORT, "Restore mode");
        def.define(FOLLOW_POLL_INTERVAL_MS, Type.LONG, 5_000L, ConfigDef.Range.between(100L, 3_600_000L),
                Importance.LOW,
                "In restore.mode=follow, how often each task asks the catalog for segments the backup published "
                        + "since it last looked (one listing of each partition's catalog folder; only new catalog "
                        + "objects are read).",
                GROUP_SELECTION, ++order, Width.SHORT, "Follow poll interval");

        order = 0;
        def.define(TOPIC_MAPPING, Type.LIST, "", TopicRenames.validator(), Importance.HIGH,
                "Target topic of each backed-up topic as sourceTopic:targetTopic pairs, comma-separated, e.g. "
                        + "orders:orders-restored,payments:payments-copy. Unmapped topics are restored under their "
                        + "own name. Records keep their partition unless partition.mapping says otherwise.",
                GROUP_TARGET, ++order, Width.LONG, "Topic mapping");
        def.define(PARTITION_MAPPING, Type.LIST, "", PartitionRoutes.validator(), Importance.MEDIUM,
                "Explicit partition remaps, comma-separated: topic/partition:targetPartition (into the topic's "
                        + "target from topic.mapping) or topic/partition:targetTopic/targetPartition, e.g. "
                        + "orders/3:0,orders/4:orders-archive/0. Two backed-up partitions may not share a target "
                        + "partition.",
                GROUP_TARGET, ++order, Width.LONG, "Partition mapping");
        def.define(ORIGINAL_HEADERS, Type.BOOLEAN, true, Importance.MEDIUM,
                "Add the headers x-original-topic, x-original-partition, x-original-offset and "
                        + "x-original-timestamp (UTF-8 decimal strings) to every restored record, after its own "
                        + "headers.",
                GROUP_TARGET, ++order, Width.SHORT, "Original-position headers");
        def.define(CREATE_TOPICS, Type.BOOLEAN, false, Importance.MEDIUM,
                "Create missing target topics (through cluster.bootstrap.servers) from the backup's cluster "
                        + "snapshot at or before the window end (see the backup's snapshot.interval.ms): the "
                        + "backed-up topic's partition count and the configs set on it (cleanup.policy, "
                        + "min.compaction.lag.ms, max.message.bytes, ...), except retention: retention.ms=-1 and no "
                        + "retention.bytes, since restored records keep their original timestamps and a retention "
                        + "would delete old ones at once; set the retention you want after the restore. Without a "
                        + "snapshot: as many partitions as the backup holds (highest backed-up partition + 1, or "
                        + "more if partition.mapping needs it) and the broker's defaults. An existing target whose "
                        + "cleanup.policy differs from the snapshot's or that has fewer partitions stops the task "
                        + "before anything is written. When false, a missing target topic stops the task with an "
                        + "error. An existing target topic whose retention.ms would delete restored records also "
                        + "stops the task.",
                GROUP_TARGET, ++order, Width.SHORT, "Create target topics");
        def.define(REPLICATION_FACTOR, Type.SHORT, (short) -1, replicationFactorValidator(), Importance.LOW,
                "Replication factor of topics created by restore.create.topics; -1 uses the target broker's "
                        + "default.replication.factor (the backed-up topic's replication factor is not copied: the "
                        + "target cluster may have fewer brokers).",
                GROUP_TARGET, ++order, Width.SHORT, "Created topics' replication factor");
        def.define(CREATE_TOPICS_REPLICATION_FACTOR, Type.SHORT, (short) -1, replicationFactorValidator(),
                Importance.LOW,
                "Deprecated older name of restore.replication.factor, used only when restore.replication.factor "
                        + "is -1.",
                GROUP_TARGET, ++order, Width.SHORT, "Created topics' replication factor (old name)");
        def.define(CONSUMER_GROUPS, Type.STRING, "", new RegexValidator(), Importance.MEDIUM,
                "Java regular expression (whole-name match) of the consumer groups whose committed offsets, from "
                        + "the backup's cluster snapshot at or before the window end, are moved to the target cluster "
                        + "once each task has restored its partitions. Each offset is translated with the restore's "
                        + "offset maps and topic.mapping/partition.mapping so that a group may read a record again "
                        + "but never skips one: an offset on a restored record maps exactly, one on a record that was "
                        + "not restored maps to the first restored record after it, one past the last restored "
                        + "record maps to the end of what was restored. Empty: no groups.",
                GROUP_TARGET, ++order, Width.LONG, "Consumer groups");
        def.define(CONSUMER_GROUPS_MODE, Type.STRING, ConsumerGroupsMode.APPLY.configName(),
                ConfigDef.CaseInsensitiveValidString.in("apply", "plan"), Importance.MEDIUM,
                "'apply' commits the translated offsets to groups with no active members in the target cluster "
                        + "(a group with members is reported with its members and left alone; applying again "
                        + "commits the same offsets); 'plan' writes the translation (per group and partition: "
                        + "original offset, target offset, how it was derived) to "
                        + "{backup.id}/restores/{connector}/group-offsets-task-{n}.json and logs a summary, "
                        + "committing nothing.",
                GROUP_TARGET, ++order, Width.SHORT, "Consumer groups mode");
        def.define(ALLOW_INTERNAL_TOPICS, Type.BOOLEAN, false, Importance.LOW,
                "Allow target topics that are internal: Kafka's (names starting with '__', such as "
                        + "__consumer_offsets and __transaction_state), Kafka Connect's config, offset and status "
                        + "topics (this connector's offsets.storage.topic, and names with the word 'connect' followed "
                        + "by 'config', 'offset' or 'status', such as connect-configs or connect-cluster-offsets) and "
                        + "MirrorMaker 2's (ending in .internal or -internal). Writing into them can break the cluster "
                        + "or the workers, so by default validation and the tasks refuse such a target.",
                GROUP_TARGET, ++order, Width.SHORT, "Allow internal target topics");
        def.define(ALLOW_SOURCE_OVERWRITE, Type.BOOLEAN, false, Importance.LOW,
                "Allow restoring a topic into itself on the cluster it was backed up from (the cluster id the "
                        + "backup recorded equals the id of the cluster at cluster.bootstrap.servers). By default "
                        + "validation and the tasks refuse it, since the restore would append old records to the live "
                        + "topic; use topic.mapping to restore into another topic. A backup that recorded no cluster "
                        + "id (its connector had no cluster.bootstrap.servers) cannot be compared and is not refused.",
                GROUP_TARGET, ++order, Width.SHORT, "Allow overwriting the source topic");
        ClusterConfigKeys.define(def, Importance.HIGH, "Required: the restore uses it to check that its target "
                + "topics exist with enough partitions (and to create them with restore.create.topics).");

        order = 0;
        def.define(MAX_BYTES_PER_SECOND, Type.LONG, 0L, ConfigDef.Range.atLeast(0), Importance.MEDIUM,
                "Upper limit on the record bytes (key, value and headers as backed up) each task restores per "
                        + "second; 0 means unlimited. Use it to keep a restore from crowding out live traffic.",
                GROUP_PERFORMANCE, ++order, Width.MEDIUM, "Max bytes per second per task");
        def.define(PREFETCH_BYTES, Type.LONG, DEFAULT_PREFETCH_BYTES, ConfigDef.Range.atLeast(MIN_PREFETCH_BYTES),
                Importance.LOW,
                "Memory each task may use for backup data, in bytes, however many partitions it restores. Half "
                        + "is read-ahead: byte ranges and footers of segments fetched ahead of the producer (segments "
                        + "are never downloaded whole). Half is for the segments being decoded: an open segment holds "
                        + "its block buffers and the decoded records of one block (about three times the backup's "
                        + "segment.block.bytes), so only as many partitions as fit read at a time and the others "
                        + "wait their turn, opening their next segment as others finish one. One segment is always "
                        + "open, even if its blocks alone are larger than half the budget. Records handed to Connect "
                        + "and not yet acknowledged by its producer are held back at a quarter of this value on top "
                        + "(the producer's buffer.memory counts compressed bytes, so it does not bound them).",
                GROUP_PERFORMANCE, ++order, Width.MEDIUM, "Restore memory");
        def.define(BATCH_MAX_RECORDS, Type.INT, DEFAULT_BATCH_MAX_RECORDS, ConfigDef.Range.between(1, 1_000_000),
                Importance.LOW, "Most records one poll hands to Connect.",
                GROUP_PERFORMANCE, ++order, Width.SHORT, "Records per poll");

        order = 0;
        def.define(CORRUPT_SEGMENT_POLICY, Type.STRING, CorruptSegmentPolicy.FAIL.configName(),
                ConfigDef.CaseInsensitiveValidString.in("fail", "skip"), Importance.MEDIUM,
                "What to do with a segment that fails its checksums, is missing from storage or whose stored size "
                        + "differs from the size the backup's index records: 'fail' stops the "
                        + "task with an error naming the object, block and offsets (restart it after repairing the "
                        + "object; it resumes where it stopped); 'skip' logs it, counts it in the "
                        + "corrupt-segments-skipped-total metric and the summary, and goes on with the next "
                        + "segment, so that segment's unread records are missing from the target. The same "
                        + "applies to offsets that no segment of the backup holds although the backup did not "
                        + "record them as a gap (a segment missing from the catalog): 'fail' stops the task before "
                        + "it restores anything, naming the offsets and the segments around them; 'skip' restores "
                        + "everything else and reports them.",
                GROUP_INTEGRITY, ++order, Width.SHORT, "Corrupt segment policy");
        return def;
    }

    public String backupId() {
        return getString(BACKUP_ID);
    }

    public String connectorName() {
        String name = originalsStrings().get(CONNECTOR_NAME);
        return name == null ? "restore" : name;
    }

    public StorageSettings storage() {
        return StorageSettings.from(this);
    }

    /** The master keys that open encrypted segments: the current one and the previous ones. */
    public EncryptionKeys encryptionKeys() {
        return EncryptionConfigKeys.keys(this);
    }

    public BackupLayout layout() {
        return new BackupLayout(backupId());
    }

    TopicSelection topicSelection() {
        String regex = getString(TOPICS_REGEX);
        return new TopicSelection(getList(TOPICS), regex == null || regex.isBlank() ? null : Pattern.compile(regex));
    }

    public RestoreMode mode() {
        return RestoreMode.fromConfig(getString(MODE));
    }

    public long followPollIntervalMs() {
        return getLong(FOLLOW_POLL_INTERVAL_MS);
    }

    public TimeWindow window() {
        return WindowBounds.window(getString(TIME_START), getString(TIME_END));
    }

    TargetRouter router() {
        return new TargetRouter(TopicRenames.parse(getList(TOPIC_MAPPING)),
                PartitionRoutes.parse(getList(PARTITION_MAPPING)));
    }

    public boolean originalHeaders() {
        return getBoolean(ORIGINAL_HEADERS);
    }

    public boolean createTopics() {
        return getBoolean(CREATE_TOPICS);
    }

    /** {@code restore.replication.factor}, or its older name when only that is set; -1 for the broker's default. */
    public short createTopicsReplicationFactor() {
        short factor = getShort(REPLICATION_FACTOR);
        return factor != -1 ? factor : getShort(CREATE_TOPICS_REPLICATION_FACTOR);
    }

    /** The consumer groups to move, or empty for none. */
    public Optional<Pattern> consumerGroups() {
        String regex = getString(CONSUMER_GROUPS);
        return regex == null || regex.isBlank() ? Optional.empty() : Optional.of(Pattern.compile(regex));
    }

    public ConsumerGroupsMode consumerGroupsMode() {
        return ConsumerGroupsMode.fromConfig(getString(CONSUMER_GROUPS_MODE));
    }

    private static ConfigDef.Validator replicationFactorValidator() {
        return ConfigDef.LambdaValidator.with((name, value) -> {
            short factor = (Short) value;
            if (factor == 0 || factor < -1) {
                throw new ConfigException(name, value, "must be -1 (the broker's default) or at least 1");
            }
        }, () -> "-1 or at least 1");
    }

    /** Bytes per second per task, or 0 for unlimited. */
    public long maxBytesPerSecond() {
        return getLong(MAX_BYTES_PER_SECOND);
    }

    public long prefetchBytes() {
        return getLong(PREFETCH_BYTES);
    }

    /** Payload bytes that may wait for the producer's acknowledgement: a quarter of the memory budget. */
    public long inFlightBytes() {
        return prefetchBytes() / 4;
    }

    public int batchMaxRecords() {
        return getInt(BATCH_MAX_RECORDS);
    }

    public boolean allowInternalTopics() {
        return getBoolean(ALLOW_INTERNAL_TOPICS);
    }

    public boolean allowSourceOverwrite() {
        return getBoolean(ALLOW_SOURCE_OVERWRITE);
    }

    CorruptSegmentPolicy corruptSegmentPolicy() {
        return CorruptSegmentPolicy.fromConfig(getString(CORRUPT_SEGMENT_POLICY));
    }

    public Optional<String> clusterBootstrapServers() {
        return ClusterConfigKeys.isConfigured(this) ? Optional.of(getString(ClusterConfigKeys.BOOTSTRAP_SERVERS))
                : Optional.empty();
    }

    public Map<String, Object> adminProperties(String clientId) {
        return ClusterConfigKeys.adminProperties(this, clientId);
    }


    private static final class RegexValidator implements ConfigDef.Validator {
        @Override
        public void ensureValid(String name, Object value) {
            if (value != null && !value.toString().isBlank()) {
                try {
                    Pattern.compile(value.toString());
                } catch (PatternSyntaxException e) {
                    throw new ConfigException(name, value, "not a valid regular expression: " + e.getDescription());
                }
            }
        }

        @Override
        public String toString() {
            return "a Java regular expression";
        }
    }
}
