package dev.kbackup.restore;

import dev.kbackup.config.ClusterConfigKeys;
import dev.kbackup.config.ConnectorValidation;
import dev.kbackup.layout.BackupCatalog;
import dev.kbackup.layout.BackupLayout;
import dev.kbackup.layout.ClusterSnapshots;
import dev.kbackup.layout.Manifest;
import dev.kbackup.layout.PartitionIndex;
import dev.kbackup.layout.RestoreKeys;
import dev.kbackup.storage.ObjectStore;
import dev.kbackup.storage.StorageConfigKeys;
import dev.kbackup.storage.StorageProbe;
import dev.kbackup.storage.StorageSettings;
import dev.kbackup.storage.StorageType;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.config.Config;
import org.apache.kafka.common.config.ConfigException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Function;

/**
 * The checks of {@code validate()} that need more than one field or a look at the backup: converters, storage
 * reachability, the manifest's existence, topics present in the backup, the window's order, mappings that refer to
 * partitions the backup lacks or send two partitions to one target, and the guard rails of {@link TargetTopicGuard}
 * (asking the target cluster for its id only when a topic would be restored under its own name). Each problem is
 * reported on the field to change.
 */
final class RestoreValidator {

    private static final Logger log = LoggerFactory.getLogger(RestoreValidator.class);
    private static final long CLUSTER_ID_TIMEOUT_MS = 15_000;

    private final Function<StorageSettings, ObjectStore> storeOpener;
    private final Function<RestoreConfig, String> targetClusterId;

    RestoreValidator(Function<StorageSettings, ObjectStore> storeOpener) {
        this(storeOpener, RestoreValidator::targetClusterId);
    }

    // for testing
    RestoreValidator(Function<StorageSettings, ObjectStore> storeOpener,
                     Function<RestoreConfig, String> targetClusterId) {
        this.storeOpener = storeOpener;
        this.targetClusterId = targetClusterId;
    }

    /** Adds our findings to the per-field results of the ConfigDef and returns them. */
    Config validate(Map<String, String> props, Config fieldResults) {
        ConnectorValidation validation = ConnectorValidation.of(fieldResults, props);
        // the backup checks parse the whole config, which needs every field to be valid on its own
        boolean fieldsValid = !validation.hasErrors();
        validation.checkBackupId();
        validation.checkConverters();
        checkWindowOrder(props, validation);
        checkFollowWindow(props, validation);
        validation.checkEncryption();
        if (!hasText(props, ClusterConfigKeys.BOOTSTRAP_SERVERS)) {
            validation.addError(ClusterConfigKeys.BOOTSTRAP_SERVERS, "Set " + ClusterConfigKeys.BOOTSTRAP_SERVERS
                    + " to the bootstrap servers of the cluster to restore into (normally the Connect worker's "
                    + "bootstrap.servers): the restore checks and creates its target topics through it");
        }
        if (hasText(props, RestoreConfig.TOPICS) && hasText(props, RestoreConfig.TOPICS_REGEX)) {
            validation.addError(RestoreConfig.TOPICS_REGEX, "Set either " + RestoreConfig.TOPICS + " or "
                    + RestoreConfig.TOPICS_REGEX + ", not both");
        }
        checkReplicationFactorNames(props, validation);
        if (fieldsValid && validation.isValid(RestoreConfig.TIME_END)) {
            validation.checkStorage().ifPresent(settings -> checkBackup(props, settings, validation));
        }
        return validation.result();
    }

    /** A following restore never ends, so it cannot have a window that does. */
    private static void checkFollowWindow(Map<String, String> props, ConnectorValidation validation) {
        String mode = props.get(RestoreConfig.MODE);
        if (mode != null && mode.trim().equalsIgnoreCase("follow") && hasText(props, RestoreConfig.TIME_END)) {
            validation.addError(RestoreConfig.TIME_END, RestoreConfig.MODE + "=follow restores what the backup "
                    + "publishes from now on, so it needs an open window end, but " + RestoreConfig.TIME_END + " is "
                    + props.get(RestoreConfig.TIME_END) + ". Unset " + RestoreConfig.TIME_END + " to follow the "
                    + "backup, or set " + RestoreConfig.MODE + "=once to restore up to that instant and stop");
        }
    }

    private static void checkWindowOrder(Map<String, String> props, ConnectorValidation validation) {
        if (!validation.isValid(RestoreConfig.TIME_START) || !validation.isValid(RestoreConfig.TIME_END)) {
            return;
        }
        try {
            WindowBounds.window(props.get(RestoreConfig.TIME_START), props.get(RestoreConfig.TIME_END));
        } catch (ConfigException e) {
            validation.addError(RestoreConfig.TIME_END, e.getMessage());
        }
    }

    private void checkBackup(Map<String, String> props, StorageSettings settings, ConnectorValidation validation) {
        RestoreConfig config;
        try {
            config = new RestoreConfig(props);
        } catch (RuntimeException e) {
            validation.addError(RestoreConfig.BACKUP_ID, "Invalid configuration: " + e.getMessage());
            return;
        }
        BackupLayout layout = config.layout();
        String storageKey = settings.type() == StorageType.S3
                ? StorageConfigKeys.S3_BUCKET : StorageConfigKeys.FILESYSTEM_PATH;
        Map<String, Map<Integer, PartitionIndex>> catalog;
        String backupClusterId;
        String described = null;
        try (ObjectStore store = storeOpener.apply(settings)) {
            described = store.describe();
            BackupCatalog backups = new BackupCatalog(store, layout);
            Optional<Manifest> manifest = backups.readManifest();
            if (manifest.isEmpty()) {
                validation.addError(RestoreConfig.BACKUP_ID, "Backup '" + config.backupId() + "' does not "
                        + "exist in " + store.describe() + ": there is no manifest at " + layout.manifestKey()
                        + ". Check backup.id, storage.prefix and the bucket or path against the backup connector's "
                        + "settings");
                return;
            }
            catalog = backups.loadWindow(config.window());
            checkSnapshotForGroups(config, store, validation);
            backupClusterId = manifest.get().sourceCluster().clusterId();
            String restoresRoot = new RestoreKeys(layout, config.connectorName()).root();
            Optional<String> notWritable = StorageProbe.checkWritable(store, restoresRoot);
            if (notWritable.isPresent()) {
                validation.addError(storageKey, notWritable.get() + " (the restore writes its summary and offset "
                        + "maps under " + restoresRoot + ")");
                return;
            }
        } catch (RuntimeException e) {
            validation.addError(storageKey, "Could not read backup '" + config.backupId() + "' from "
                    + (described == null ? settings.type().configValue() + " storage" : described) + ": "
                    + e.getMessage());
            return;
        }
        checkTopics(config, catalog, validation);
        checkMappings(config, catalog, validation);
        checkGuardRails(config, catalog, backupClusterId, validation);
    }

    private void checkGuardRails(RestoreConfig config, Map<String, Map<Integer, PartitionIndex>> catalog,
                                 String backupClusterId, ConnectorValidation validation) {
        RestorePlan plan = RestorePlan.build(catalog, config.topicSelection(), config.router(), config.window());
        TargetTopicGuard.of(config).check(plan.work(), backupClusterId, () -> targetClusterId.apply(config))
                .forEach(refusal -> validation.addError(refusal.configKey(), refusal.message()));
    }

    /** The target cluster's id, or null if it does not answer: the task checks again before it produces. */
    private static String targetClusterId(RestoreConfig config) {
        try (Admin admin = Admin.create(config.adminProperties("kbackup-restore-validate-" + config.connectorName()))) {
            return TargetTopicGuard.clusterId(admin, CLUSTER_ID_TIMEOUT_MS);
        } catch (RuntimeException e) {
            log.info("Validation could not learn the target cluster's id, so it does not check whether the restore "
                    + "writes into its own source topic (each task checks before it produces): {}", e.getMessage());
            return null;
        }
    }

    private static void checkTopics(RestoreConfig config, Map<String, Map<Integer, PartitionIndex>> catalog,
                                    ConnectorValidation validation) {
        TopicSelection selection = config.topicSelection();
        Set<String> missing = selection.missingFrom(catalog.keySet());
        if (catalog.isEmpty()) {
            validation.addError(RestoreConfig.BACKUP_ID, "Backup '" + config.backupId() + "' holds no topic "
                    + "yet: its manifest lists none. Restore it once the backup connector has stored data");
        } else if (!missing.isEmpty()) {
            validation.addError(RestoreConfig.TOPICS, "Backup '" + config.backupId() + "' has no topic "
                    + String.join(", ", missing) + "; it holds " + describeTopics(catalog.keySet()));
        } else if (hasText(config.originalsStrings(), RestoreConfig.TOPICS_REGEX)
                && catalog.keySet().stream().noneMatch(selection::matches)) {
            validation.addError(RestoreConfig.TOPICS_REGEX, "No topic of backup '" + config.backupId() + "' matches "
                    + config.getString(RestoreConfig.TOPICS_REGEX) + "; it holds " + describeTopics(catalog.keySet()));
        }
    }

    private static void checkMappings(RestoreConfig config, Map<String, Map<Integer, PartitionIndex>> catalog,
                                      ConnectorValidation validation) {
        TargetRouter router = config.router();
        for (TopicPartition source : router.partitionMapping().entries().keySet()) {
            Map<Integer, PartitionIndex> partitions = catalog.get(source.topic());
            if (partitions == null || !partitions.containsKey(source.partition())) {
                validation.addError(RestoreConfig.PARTITION_MAPPING, "partition.mapping names "
                        + source.topic() + "/" + source.partition() + ", which backup '" + config.backupId()
                        + "' does not hold" + (partitions == null ? "" : " (it holds partitions "
                        + new TreeSet<>(partitions.keySet()) + " of " + source.topic() + ")"));
            }
        }
        RestorePlan plan = RestorePlan.build(catalog, config.topicSelection(), router, config.window());
        plan.collisions().forEach((target, sources) -> {
            boolean byPartitionMapping = sources.stream()
                    .anyMatch(source -> router.partitionMapping().get(source) != null);
            String key = byPartitionMapping ? RestoreConfig.PARTITION_MAPPING : RestoreConfig.TOPIC_MAPPING;
            validation.addError(key, "Backed-up partitions " + sources + " would all be restored to "
                    + target + "; records of different partitions would be interleaved. Map them to different "
                    + "topics or partitions");
        });
    }

    /** Moving consumer groups needs their offsets, which only a snapshot of the source cluster holds. */
    private static void checkSnapshotForGroups(RestoreConfig config, ObjectStore store, ConnectorValidation validation) {
        if (config.consumerGroups().isEmpty()) {
            return;
        }
        long end = config.window().end();
        if (new ClusterSnapshots(store, config.layout()).atOrBefore(end).isEmpty()) {
            validation.addError(RestoreConfig.CONSUMER_GROUPS, "Backup '" + config.backupId() + "' has no cluster "
                    + "snapshot " + (end == Long.MAX_VALUE ? "" : "at or before " + Instant.ofEpochMilli(end)
                    + " ") + "under " + config.layout().snapshotsPrefix() + ", so there are no consumer group offsets "
                    + "to move. Snapshots are taken by the backup connector when cluster.bootstrap.servers is set and "
                    + "snapshot.interval.ms > 0; restore a later window or leave " + RestoreConfig.CONSUMER_GROUPS
                    + " empty");
        }
    }

    private static void checkReplicationFactorNames(Map<String, String> props, ConnectorValidation validation) {
        String current = props.get(RestoreConfig.REPLICATION_FACTOR);
        String old = props.get(RestoreConfig.CREATE_TOPICS_REPLICATION_FACTOR);
        if (current != null && old != null && !current.trim().equals("-1") && !current.trim().equals(old.trim())) {
            validation.addError(RestoreConfig.CREATE_TOPICS_REPLICATION_FACTOR, RestoreConfig.REPLICATION_FACTOR
                    + "=" + current + " and its older name " + RestoreConfig.CREATE_TOPICS_REPLICATION_FACTOR + "="
                    + old + " disagree: keep only " + RestoreConfig.REPLICATION_FACTOR);
        }
    }

    private static String describeTopics(Set<String> topics) {
        if (topics.isEmpty()) {
            return "no topics yet";
        }
        List<String> sorted = new ArrayList<>(new TreeSet<>(topics));
        return sorted.size() <= 20 ? String.join(", ", sorted)
                : String.join(", ", sorted.subList(0, 20)) + " and " + (sorted.size() - 20) + " more";
    }




    private static boolean hasText(Map<String, String> props, String key) {
        return props.get(key) != null && !props.get(key).isBlank();
    }
}
