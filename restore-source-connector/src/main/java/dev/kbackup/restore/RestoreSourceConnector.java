package dev.kbackup.restore;

import dev.kbackup.Version;
import dev.kbackup.layout.BackupCatalog;
import dev.kbackup.layout.Manifest;
import dev.kbackup.storage.ObjectStore;
import dev.kbackup.storage.ObjectStores;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.config.Config;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.connect.connector.Task;
import org.apache.kafka.connect.errors.ConnectException;
import org.apache.kafka.connect.source.ConnectorTransactionBoundaries;
import org.apache.kafka.connect.source.ExactlyOnceSupport;
import org.apache.kafka.connect.source.SourceConnector;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Restores a backup written by the backup sink connector into Kafka, point-in-time and (with exactly-once source
 * support on the workers) exactly once. The connector reads the backup's catalog and spreads its partitions over
 * the tasks, each partition to one task; {@link RestoreSourceTask} does the restoring.
 */
public class RestoreSourceConnector extends SourceConnector {

    private static final Logger log = LoggerFactory.getLogger(RestoreSourceConnector.class);

    private Map<String, String> props;
    private RestorePlan plan;
    private String backupClusterId;

    @Override
    public String version() {
        return pluginVersion();
    }

    /** The project version, stamped into segment-format at build time. */
    static String pluginVersion() {
        return Version.get();
    }

    @Override
    public void start(Map<String, String> props) {
        this.props = Map.copyOf(props);
        RestoreConfig config = new RestoreConfig(props);
        try (ObjectStore store = ObjectStores.open(config.storage())) {
            BackupCatalog catalog = new BackupCatalog(store, config.layout());
            Manifest manifest = catalog.readManifest().orElseThrow(() -> new ConnectException("Backup '"
                    + config.backupId() + "' does not exist in " + store.describe() + ": no manifest at "
                    + config.layout().manifestKey()));
            plan = RestorePlan.build(catalog.loadWindow(config.window()), config.topicSelection(), config.router(),
                    config.window());
            backupClusterId = manifest.sourceCluster().clusterId();
        }
        Map<TopicPartition, List<TopicPartition>> collisions = plan.collisions();
        if (!collisions.isEmpty()) {
            throw new ConnectException("Two or more backed-up partitions would be restored to the same target "
                    + "partition: " + collisions + ". Change " + RestoreConfig.TOPIC_MAPPING + " or "
                    + RestoreConfig.PARTITION_MAPPING);
        }
        long records = plan.work().stream().mapToLong(PartitionPlan::records).sum();
        log.info("Restore of backup {} ({}, window {}): {} partitions with data, {} records in {} segments",
                config.backupId(), config.topicSelection(), config.window(), plan.work().size(), records,
                plan.work().stream().mapToInt(p -> p.segments().size()).sum());
    }

    @Override
    public Class<? extends Task> taskClass() {
        return RestoreSourceTask.class;
    }

    @Override
    public List<Map<String, String>> taskConfigs(int maxTasks) {
        Map<String, Integer> counts = plan.targetPartitionCounts();
        List<Map<String, String>> configs = new ArrayList<>();
        List<List<TopicPartition>> assignments = plan.assign(maxTasks);
        Map<TopicPartition, PartitionPlan> all = plan.select(assignments.stream().flatMap(List::stream).toList());
        for (int task = 0; task < assignments.size(); task++) {
            List<TopicPartition> partitions = assignments.get(task);
            Map<String, Integer> taskCounts = new TreeMap<>();
            partitions.forEach(partition -> {
                String target = all.get(partition).target().topic();
                taskCounts.put(target, counts.get(target));
            });
            configs.add(RestoreSourceTaskConfig.forTask(props, task, partitions, taskCounts, backupClusterId));
        }
        return configs;
    }

    @Override
    public void stop() {
        plan = null;
    }

    @Override
    public ConfigDef config() {
        return RestoreConfig.CONFIG_DEF;
    }

    @Override
    public Config validate(Map<String, String> connectorConfigs) {
        Config fields = super.validate(connectorConfigs);
        return new RestoreValidator(ObjectStores::open).validate(connectorConfigs, fields);
    }

    @Override
    public ExactlyOnceSupport exactlyOnceSupport(Map<String, String> connectorConfig) {
        // every record carries its original offset as source offset, and a restarted task resumes after it
        return ExactlyOnceSupport.SUPPORTED;
    }

    @Override
    public ConnectorTransactionBoundaries canDefineTransactionBoundaries(Map<String, String> connectorConfig) {
        return ConnectorTransactionBoundaries.SUPPORTED;
    }

    @Override
    public boolean alterOffsets(Map<String, String> connectorConfig, Map<Map<String, ?>, Map<String, ?>> offsets) {
        for (Map.Entry<Map<String, ?>, Map<String, ?>> entry : offsets.entrySet()) {
            String problem = RestoreOffsets.problem(entry.getKey(), entry.getValue());
            if (problem != null) {
                throw new ConnectException("Cannot set this offset: " + problem);
            }
        }
        return true;
    }
}
