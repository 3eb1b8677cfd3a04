package dev.kbackup.sink;

import dev.kbackup.Version;
import dev.kbackup.config.ClusterConfigKeys;
import dev.kbackup.config.ConnectorValidation;
import dev.kbackup.layout.BackupLayout;
import org.apache.kafka.common.config.Config;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.connect.connector.Task;
import org.apache.kafka.connect.sink.SinkConnector;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Backs up Kafka topics, byte for byte and exactly once, to S3-compatible object storage or a filesystem. Each
 * task backs up the partitions Connect assigns it; see {@link BackupSinkTask}.
 */
public class BackupSinkConnector extends SinkConnector {

    private static final Logger log = LoggerFactory.getLogger(BackupSinkConnector.class);

    private Map<String, String> props;

    @Override
    public void start(Map<String, String> props) {
        BackupSinkConfig config = new BackupSinkConfig(props);
        this.props = new HashMap<>(props);
        if (!props.containsKey("consumer.override.isolation.level")) {
            log.warn("Connector {} does not set consumer.override.isolation.level: with the worker's default "
                    + "(read_uncommitted) records of aborted transactions are backed up too and a restore would "
                    + "write them as committed. Set consumer.override.isolation.level=read_committed.",
                    config.connectorName());
        }
        log.info("Backup connector {} started for backup {} in {}", config.connectorName(), config.backupId(),
                config.storage().location());
    }

    @Override
    public Class<? extends Task> taskClass() {
        return BackupSinkTask.class;
    }

    @Override
    public List<Map<String, String>> taskConfigs(int maxTasks) {
        List<Map<String, String>> configs = new ArrayList<>(maxTasks);
        for (int task = 0; task < maxTasks; task++) {
            configs.add(BackupSinkTaskConfig.forTask(props, task));
        }
        return configs;
    }

    @Override
    public void stop() {
        props = null;
    }

    @Override
    public ConfigDef config() {
        return BackupSinkConfig.CONFIG_DEF;
    }

    /**
     * Adds to the per-field checks: a clear message for a missing backup.id, storage settings that cannot work
     * together, converters that would not keep the bytes, a segment smaller than an upload part, and a probe write
     * to the bucket or directory.
     */
    @Override
    public Config validate(Map<String, String> connectorConfigs) {
        ConnectorValidation validation = ConnectorValidation.of(super.validate(connectorConfigs), connectorConfigs);
        validation.checkBackupId();
        validation.checkConverters();
        checkSegmentHoldsABlock(validation);
        checkCompactionTargetHoldsABlock(validation);
        validation.checkEncryption();
        checkSnapshotsHaveACluster(validation);
        validation.checkStorage().ifPresent(storage -> {
            Object backupId = validation.value(BackupSinkConfig.BACKUP_ID);
            if (validation.isValid(BackupSinkConfig.BACKUP_ID) && backupId != null) {
                validation.probeStorageWritable(storage, new BackupLayout((String) backupId).root() + "/");
            }
        });
        return validation.result();
    }

    /** A segment may be smaller than an upload part (it is then one request) but holds at least one block. */
    private static void checkSegmentHoldsABlock(ConnectorValidation validation) {
        Object segmentBytes = validation.value(BackupSinkConfig.SEGMENT_MAX_BYTES);
        Object blockBytes = validation.value(BackupSinkConfig.SEGMENT_BLOCK_BYTES);
        if (validation.isValid(BackupSinkConfig.SEGMENT_MAX_BYTES) && segmentBytes instanceof Long segment
                && blockBytes instanceof Integer block && segment < block) {
            validation.addError(BackupSinkConfig.SEGMENT_MAX_BYTES, "segment.max.bytes (" + segment
                    + ") is smaller than segment.block.bytes (" + block + "): a segment holds at least one block; "
                    + "raise segment.max.bytes or lower segment.block.bytes");
        }
    }

    /** A merged segment holds at least one block, like any segment. */
    private static void checkCompactionTargetHoldsABlock(ConnectorValidation validation) {
        Object target = validation.value(BackupSinkConfig.COMPACTION_TARGET_BYTES);
        Object blockBytes = validation.value(BackupSinkConfig.SEGMENT_BLOCK_BYTES);
        if (validation.isValid(BackupSinkConfig.COMPACTION_TARGET_BYTES) && target instanceof Long bytes
                && blockBytes instanceof Integer block && bytes < block) {
            validation.addError(BackupSinkConfig.COMPACTION_TARGET_BYTES, "compaction.target.bytes (" + bytes
                    + ") is smaller than segment.block.bytes (" + block + "): a merged segment holds at least one "
                    + "block; raise compaction.target.bytes, leave it empty (segment.max.bytes) or set "
                    + "compaction.enabled=false");
        }
    }

    /** ACLs are only read for snapshots, and snapshots need the cluster's address. */
    private static void checkSnapshotsHaveACluster(ConnectorValidation validation) {
        Object servers = validation.value(ClusterConfigKeys.BOOTSTRAP_SERVERS);
        if (Boolean.TRUE.equals(validation.value(BackupSinkConfig.SNAPSHOT_ACLS))
                && (servers == null || servers.toString().isBlank())) {
            validation.addError(BackupSinkConfig.SNAPSHOT_ACLS, "snapshot.acls=true needs "
                    + ClusterConfigKeys.BOOTSTRAP_SERVERS + ": snapshots read the source cluster through it. Set it "
                    + "(and cluster.* security settings), or set snapshot.acls=false");
        }
    }

    @Override
    public String version() {
        return Version.get();
    }
}
