package dev.kbackup.sink;

import dev.kbackup.config.ClusterConfigKeys;
import dev.kbackup.encryption.EncryptionConfigKeys;
import dev.kbackup.format.Codec;
import dev.kbackup.format.EncryptionKeys;
import dev.kbackup.format.SegmentFormat;
import dev.kbackup.config.BackupIdConfigKeys;
import dev.kbackup.layout.BackupLayout;
import dev.kbackup.layout.SegmentCompaction;
import dev.kbackup.storage.StorageConfigKeys;
import dev.kbackup.storage.StorageSettings;
import org.apache.kafka.common.config.AbstractConfig;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigDef.Importance;
import org.apache.kafka.common.config.ConfigDef.Range;
import org.apache.kafka.common.config.ConfigDef.Type;
import org.apache.kafka.common.config.ConfigDef.Width;
import org.apache.kafka.common.config.ConfigException;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;
import java.util.Optional;

/** Settings of the backup sink connector and its tasks. */
public class BackupSinkConfig extends AbstractConfig {

    public static final String BACKUP_ID = BackupIdConfigKeys.BACKUP_ID;
    public static final String SEGMENT_MAX_BYTES = "segment.max.bytes";
    public static final String SEGMENT_MAX_INTERVAL_MS = "segment.max.interval.ms";
    public static final String SEGMENT_BLOCK_BYTES = "segment.block.bytes";
    public static final String COMPRESSION_TYPE = "compression.type";
    public static final String COMPRESSION_LEVEL = "compression.level";
    public static final String CHECKPOINT_INTERVAL_MS = "checkpoint.interval.ms";
    public static final String STATE_DIR = "state.dir";
    public static final String STATE_SYNC_INTERVAL_MS = "state.sync.interval.ms";
    public static final String BUFFER_MEMORY_BYTES = "buffer.memory.bytes";
    public static final String STORAGE_FAILURE_THRESHOLD = "storage.failure.threshold";
    public static final String STORAGE_RECOVERY_INTERVAL_MS = "storage.recovery.interval.ms";
    public static final String STORAGE_RETRY_BACKOFF_MS = "storage.retry.backoff.ms";
    public static final String SNAPSHOT_INTERVAL_MS = "snapshot.interval.ms";
    public static final String SNAPSHOT_GROUPS_INCLUDE = "snapshot.groups.include";
    public static final String SNAPSHOT_GROUPS_EXCLUDE = "snapshot.groups.exclude";
    public static final String SNAPSHOT_ACLS = "snapshot.acls";
    public static final String RETENTION_MS = "retention.ms";
    public static final String CLEANUP_GRACE_MS = "cleanup.grace.ms";
    public static final String COMPACTION_ENABLED = "compaction.enabled";
    public static final String COMPACTION_MIN_AGE_MS = "compaction.min.age.ms";
    public static final String COMPACTION_TARGET_BYTES = "compaction.target.bytes";

    /** The connector's name as Connect gives it. */
    static final String CONNECTOR_NAME = "name";

    private static final String SEGMENT_GROUP = "Segments";
    private static final String STATE_GROUP = "Progress and state";
    private static final String RESILIENCE_GROUP = "Memory and storage faults";
    private static final String SNAPSHOT_GROUP = "Cluster snapshots";
    private static final String RETENTION_GROUP = "Retention";
    private static final String COMPACTION_GROUP = "Compaction";

    public static final ConfigDef CONFIG_DEF = configDef();

    public BackupSinkConfig(Map<String, String> props) {
        super(CONFIG_DEF, props);
    }

    /** For {@link BackupSinkTaskConfig}: the connector's definition extended with the task's own keys. */
    BackupSinkConfig(ConfigDef definition, Map<String, String> props) {
        super(definition, props);
    }

    private static ConfigDef configDef() {
        ConfigDef def = new ConfigDef();
        BackupIdConfigKeys.define(def, "Name of this backup: every object it writes lives under "
                + "{storage.prefix}/{backup.id}/, and a restore names the same id.");
        StorageConfigKeys.define(def);
        EncryptionConfigKeys.define(def);
        ClusterConfigKeys.define(def, Importance.MEDIUM, "Optional for the backup: when set, the manifest records "
                + "the source cluster's id and task 0 stores snapshots of consumer group offsets, topic configs and "
                + "(optionally) ACLs every snapshot.interval.ms, which a restore uses to recreate topics and move "
                + "consumer groups.");

        int order = 0;
        def.define(SEGMENT_MAX_BYTES, Type.LONG, 128L * 1024 * 1024, Range.atLeast(SegmentFormat.MIN_BLOCK_BYTES),
                Importance.MEDIUM,
                "Uncompressed size at which a partition's open segment is closed and a new one starts. Larger "
                        + "segments mean fewer objects; memory does not grow with it because segments stream out "
                        + "in parts. Small segments are fine (at least one block, segment.block.bytes): a segment "
                        + "smaller than an upload part is sent with one request, and compaction merges small "
                        + "segments later.",
                SEGMENT_GROUP, ++order, Width.SHORT, "Segment max bytes");
        def.define(SEGMENT_MAX_INTERVAL_MS, Type.LONG, 5000L, Range.atLeast(100), Importance.MEDIUM,
                "A segment open for this long is closed even if it is small, which bounds how far the backup "
                        + "trails the topic (the recovery point objective) when traffic is low.",
                SEGMENT_GROUP, ++order, Width.SHORT, "Segment max interval");
        def.define(SEGMENT_BLOCK_BYTES, Type.INT, SegmentFormat.DEFAULT_BLOCK_BYTES,
                Range.between(SegmentFormat.MIN_BLOCK_BYTES, SegmentFormat.MAX_BLOCK_BYTES), Importance.LOW,
                "Uncompressed size of one compressed block inside a segment: the unit of compression and of "
                        + "seeking during a restore. 1 MiB gives zstd nearly a whole-stream ratio.",
                SEGMENT_GROUP, ++order, Width.SHORT, "Block bytes");
        def.define(COMPRESSION_TYPE, Type.STRING, Codec.ZSTD.configName(), codecValidator(), Importance.MEDIUM,
                "Compression of segment blocks: zstd (best ratio), lz4 (fastest) or none. With zstd or lz4, a block "
                        + "that does not shrink to 95% of its size is stored uncompressed, and after a run of such blocks "
                        + "the writer stops trying for a while.",
                SEGMENT_GROUP, ++order, Width.SHORT, "Compression type");
        def.define(COMPRESSION_LEVEL, Type.INT, Codec.ZSTD_DEFAULT_LEVEL,
                Range.between(Codec.ZSTD_MIN_LEVEL, Codec.ZSTD_MAX_LEVEL), Importance.LOW,
                "zstd level, 1 (fastest) to 22 (smallest); ignored by lz4 and none.",
                SEGMENT_GROUP, ++order, Width.SHORT, "Compression level");

        order = 0;
        def.define(CHECKPOINT_INTERVAL_MS, Type.LONG, 5000L, Range.atLeast(100), Importance.LOW,
                "How often the task records its durable progress in its local SQLite side-store.",
                STATE_GROUP, ++order, Width.SHORT, "Checkpoint interval");
        def.define(STATE_DIR, Type.STRING, Path.of(System.getProperty("java.io.tmpdir"), "kbackup-state").toString(),
                new ConfigDef.NonEmptyString(), Importance.MEDIUM,
                "Local directory for the tasks' SQLite side-stores. It may be lost: a task that finds it empty "
                        + "restores its side-store from {backup.id}/state/ in storage.",
                STATE_GROUP, ++order, Width.LONG, "State directory");
        def.define(STATE_SYNC_INTERVAL_MS, Type.LONG, 30_000L, Range.atLeast(1000), Importance.LOW,
                "How often the task publishes the segments completed since its last sync to the catalog (one "
                        + "piece per partition, folded into checkpoints as they gather), and uploads its side-store "
                        + "to {backup.id}/state/.",
                STATE_GROUP, ++order, Width.SHORT, "State sync interval");

        order = 0;
        def.define(BUFFER_MEMORY_BYTES, Type.LONG, 256L * 1024 * 1024, Range.atLeast(1024 * 1024),
                Importance.MEDIUM,
                "The task's budget for data it holds but has not yet uploaded (open blocks, queued blocks, "
                        + "upload parts), counted as the heap holds it. When it is reached, put() waits for the "
                        + "uploads to catch up and, if they stay behind, asks Connect to redeliver later; open "
                        + "segments are closed early only when no upload in progress would free memory.",
                RESILIENCE_GROUP, ++order, Width.SHORT, "Buffer memory");
        def.define(STORAGE_FAILURE_THRESHOLD, Type.INT, 5, Range.atLeast(1), Importance.LOW,
                "Consecutive failed storage operations after which the task stops calling storage for "
                        + "storage.recovery.interval.ms (circuit breaker), then probes with one request.",
                RESILIENCE_GROUP, ++order, Width.SHORT, "Failure threshold");
        def.define(STORAGE_RECOVERY_INTERVAL_MS, Type.LONG, 30_000L, Range.atLeast(100), Importance.LOW,
                "How long the circuit breaker stays open before a probe request.",
                RESILIENCE_GROUP, ++order, Width.SHORT, "Recovery interval");
        def.define(STORAGE_RETRY_BACKOFF_MS, Type.LONG, 1000L, Range.atLeast(10), Importance.LOW,
                "Wait before Connect redelivers records that could not be accepted because storage was failing "
                        + "or uploads were behind.",
                RESILIENCE_GROUP, ++order, Width.SHORT, "Retry backoff");

        order = 0;
        def.define(SNAPSHOT_INTERVAL_MS, Type.LONG, 60_000L, Range.atLeast(0), Importance.MEDIUM,
                "How often task 0 stores a snapshot of the source cluster (through cluster.bootstrap.servers) "
                        + "beside the segments, under {backup.id}/snapshots/: the committed offsets of the selected "
                        + "consumer groups on the backed-up topics, each backed-up topic's partition count, "
                        + "replication factor and the configs set on it, and ACLs with snapshot.acls=true. 0 turns "
                        + "snapshots off; without cluster.bootstrap.servers none are taken. A snapshot that fails "
                        + "is logged and counted (snapshot-failures-total) and never stops the data backup.",
                SNAPSHOT_GROUP, ++order, Width.SHORT, "Snapshot interval");
        def.define(SNAPSHOT_GROUPS_INCLUDE, Type.STRING, ".*", regexValidator(), Importance.MEDIUM,
                "Java regular expression (whole-name match) of the consumer groups whose committed offsets "
                        + "snapshots record.",
                SNAPSHOT_GROUP, ++order, Width.LONG, "Snapshot groups include");
        def.define(SNAPSHOT_GROUPS_EXCLUDE, Type.STRING, "connect-.*", regexValidator(), Importance.LOW,
                "Java regular expression (whole-name match) of consumer groups left out of snapshots even if "
                        + "snapshot.groups.include matches them; the default leaves out Kafka Connect's own sink "
                        + "connector groups.",
                SNAPSHOT_GROUP, ++order, Width.LONG, "Snapshot groups exclude");
        def.define(SNAPSHOT_ACLS, Type.BOOLEAN, false, Importance.LOW,
                "Also record the ACLs on the backed-up topics and the snapshotted groups (needs DESCRIBE on the "
                        + "cluster resource). The connectors never apply ACLs; the operator tool restores them.",
                SNAPSHOT_GROUP, ++order, Width.SHORT, "Snapshot ACLs");
        order = 0;
        def.define(RETENTION_MS, Type.LONG, -1L, Range.atLeast(-1), Importance.MEDIUM,
                "How long the backup keeps a segment after its newest record's timestamp; -1 keeps everything. "
                        + "The owner of each partition removes older segments from the catalog (a restore no "
                        + "longer plans them) and deletes them from storage after cleanup.grace.ms.",
                RETENTION_GROUP, ++order, Width.SHORT, "Retention");
        def.define(CLEANUP_GRACE_MS, Type.LONG, 3_600_000L, Range.atLeast(0), Importance.LOW,
                "How long objects that left the catalog (expired by retention) stay in storage before they are "
                        + "deleted, so that a restore planned just before can still read them.",
                RETENTION_GROUP, ++order, Width.SHORT, "Cleanup grace");
        order = 0;
        def.define(COMPACTION_ENABLED, Type.BOOLEAN, true, Importance.MEDIUM,
                "Whether the owner of each partition merges its small sealed segments, in the background, into "
                        + "segments of up to compaction.target.bytes, so that short segment.max.interval.ms values "
                        + "do not leave millions of tiny objects. At most one merge per task per state sync.",
                COMPACTION_GROUP, ++order, Width.SHORT, "Compaction");
        def.define(COMPACTION_MIN_AGE_MS, Type.LONG, 3_600_000L, Range.atLeast(0), Importance.LOW,
                "A segment is merged only once its newest record is older than this.",
                COMPACTION_GROUP, ++order, Width.SHORT, "Compaction minimum age");
        def.define(COMPACTION_TARGET_BYTES, Type.LONG, null, Importance.LOW,
                "Stored bytes a merged segment may reach (the sum of its sources' sizes); also the most a task "
                        + "reads, and writes, for compaction per state sync. Empty: segment.max.bytes. At least "
                        + "segment.block.bytes.",
                COMPACTION_GROUP, ++order, Width.SHORT, "Compaction target size");
        return def;
    }

    private static ConfigDef.Validator regexValidator() {
        return ConfigDef.LambdaValidator.with((name, value) -> {
            try {
                Pattern.compile((String) value);
            } catch (PatternSyntaxException | NullPointerException e) {
                throw new ConfigException(name, value, "not a valid Java regular expression"
                        + (e instanceof PatternSyntaxException syntax ? ": " + syntax.getDescription() : ""));
            }
        }, () -> "a Java regular expression");
    }

    private static ConfigDef.Validator codecValidator() {
        return new ConfigDef.Validator() {
            @Override
            public void ensureValid(String name, Object value) {
                try {
                    Codec.fromConfigName((String) value);
                } catch (IllegalArgumentException | NullPointerException e) {
                    throw new ConfigException(name, value, "use one of zstd, lz4, none");
                }
            }

            @Override
            public String toString() {
                return "[zstd, lz4, none]";
            }
        };
    }

    public String backupId() {
        return getString(BACKUP_ID);
    }

    public StorageSettings storage() {
        return StorageSettings.from(this);
    }

    public BackupLayout layout() {
        return new BackupLayout(backupId());
    }

    public long segmentMaxBytes() {
        return getLong(SEGMENT_MAX_BYTES);
    }

    public Duration segmentMaxInterval() {
        return Duration.ofMillis(getLong(SEGMENT_MAX_INTERVAL_MS));
    }

    public int blockBytes() {
        return getInt(SEGMENT_BLOCK_BYTES);
    }

    /** The master keys new segments are encrypted with; {@link EncryptionKeys#NONE} when none is configured. */
    public EncryptionKeys encryptionKeys() {
        return EncryptionConfigKeys.keys(this);
    }

    public Codec codec() {
        return Codec.fromConfigName(getString(COMPRESSION_TYPE));
    }

    public int compressionLevel() {
        return getInt(COMPRESSION_LEVEL);
    }

    public Duration checkpointInterval() {
        return Duration.ofMillis(getLong(CHECKPOINT_INTERVAL_MS));
    }

    public Path stateDir() {
        return Path.of(getString(STATE_DIR));
    }

    /** How long segments are kept after their newest record, or empty to keep them forever. */
    public Optional<Duration> retention() {
        long millis = getLong(RETENTION_MS);
        return millis < 0 ? Optional.empty() : Optional.of(Duration.ofMillis(millis));
    }

    public Duration cleanupGrace() {
        return Duration.ofMillis(getLong(CLEANUP_GRACE_MS));
    }

    /** How the owner of a partition compacts it, or empty if compaction.enabled=false. */
    public Optional<SegmentCompaction.Settings> compaction() {
        if (!getBoolean(COMPACTION_ENABLED)) {
            return Optional.empty();
        }
        return Optional.of(new SegmentCompaction.Settings(Duration.ofMillis(getLong(COMPACTION_MIN_AGE_MS)),
                compactionTargetBytes(), cleanupGrace(), codec(), compressionLevel(), blockBytes(),
                encryptionKeys()));
    }

    public long compactionTargetBytes() {
        Long target = getLong(COMPACTION_TARGET_BYTES);
        return target == null ? segmentMaxBytes() : target;
    }

    public Duration stateSyncInterval() {
        return Duration.ofMillis(getLong(STATE_SYNC_INTERVAL_MS));
    }

    public long bufferMemoryBytes() {
        return getLong(BUFFER_MEMORY_BYTES);
    }

    public int storageFailureThreshold() {
        return getInt(STORAGE_FAILURE_THRESHOLD);
    }

    public Duration storageRecoveryInterval() {
        return Duration.ofMillis(getLong(STORAGE_RECOVERY_INTERVAL_MS));
    }

    public Duration storageRetryBackoff() {
        return Duration.ofMillis(getLong(STORAGE_RETRY_BACKOFF_MS));
    }

    /** How often to snapshot the source cluster; zero when snapshots are off. */
    public Duration snapshotInterval() {
        return ClusterConfigKeys.isConfigured(this) ? Duration.ofMillis(getLong(SNAPSHOT_INTERVAL_MS)) : Duration.ZERO;
    }

    public Pattern snapshotGroupsInclude() {
        return Pattern.compile(getString(SNAPSHOT_GROUPS_INCLUDE));
    }

    public Pattern snapshotGroupsExclude() {
        return Pattern.compile(getString(SNAPSHOT_GROUPS_EXCLUDE));
    }

    public boolean snapshotAcls() {
        return getBoolean(SNAPSHOT_ACLS);
    }

    /** The connector's {@code topics.regex}, or null when it lists its topics. */
    Pattern topicsRegex() {
        Object regex = originals().get("topics.regex");
        return regex == null || regex.toString().isBlank() ? null : Pattern.compile(regex.toString());
    }

    /** The connector's name, or "kbackup-sink" when run outside Connect. */
    public String connectorName() {
        Object name = originals().get(CONNECTOR_NAME);
        return name == null ? "kbackup-sink" : name.toString();
    }
}
