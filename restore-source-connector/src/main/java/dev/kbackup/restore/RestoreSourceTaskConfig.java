package dev.kbackup.restore;

import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigDef.Importance;
import org.apache.kafka.common.config.ConfigDef.Type;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * A task's settings: the connector's, plus which backed-up partitions it restores, its index (for its summary's
 * name) and the partition count of each target topic should it have to create one.
 */
final class RestoreSourceTaskConfig extends RestoreConfig {

    static final String TASK_INDEX = "restore.task.index";
    static final String TASK_PARTITIONS = "restore.task.partitions";
    static final String TASK_TARGET_PARTITION_COUNTS = "restore.task.target.partition.counts";
    static final String TASK_BACKUP_CLUSTER_ID = "restore.task.backup.cluster.id";

    private static final ConfigDef TASK_DEF = new ConfigDef(CONFIG_DEF)
            .define(TASK_INDEX, Type.INT, 0, Importance.LOW, "Index of this task, set by the connector.")
            .define(TASK_PARTITIONS, Type.LIST, "", Importance.LOW,
                    "Backed-up partitions this task restores, as topic/partition, set by the connector.")
            .define(TASK_TARGET_PARTITION_COUNTS, Type.LIST, "", Importance.LOW,
                    "Partition count of each target topic if it must be created, as topic:count.")
            .define(TASK_BACKUP_CLUSTER_ID, Type.STRING, null, Importance.LOW,
                    "Id of the cluster the backup was taken from, as its manifest records it; unset if unknown.");

    RestoreSourceTaskConfig(Map<String, String> props) {
        super(TASK_DEF, props);
    }

    /** The connector's config plus one task's assignment. */
    static Map<String, String> forTask(Map<String, String> connectorProps, int index, List<TopicPartition> partitions,
                                       Map<String, Integer> targetPartitionCounts, String backupClusterId) {
        Map<String, String> props = new HashMap<>(connectorProps);
        props.put(TASK_INDEX, Integer.toString(index));
        List<String> names = new ArrayList<>();
        partitions.forEach(partition -> names.add(partition.topic() + "/" + partition.partition()));
        props.put(TASK_PARTITIONS, String.join(",", names));
        List<String> counts = new ArrayList<>();
        targetPartitionCounts.forEach((topic, count) -> counts.add(topic + ":" + count));
        props.put(TASK_TARGET_PARTITION_COUNTS, String.join(",", counts));
        props.remove(TASK_BACKUP_CLUSTER_ID);
        if (backupClusterId != null) {
            props.put(TASK_BACKUP_CLUSTER_ID, backupClusterId);
        }
        return props;
    }

    int taskNumber() {
        return getInt(TASK_INDEX);
    }

    List<TopicPartition> partitions() {
        List<TopicPartition> partitions = new ArrayList<>();
        for (String entry : getList(TASK_PARTITIONS)) {
            int slash = entry.lastIndexOf('/');
            partitions.add(new TopicPartition(entry.substring(0, slash), Integer.parseInt(entry.substring(slash + 1))));
        }
        return partitions;
    }

    /** The backed-up cluster's id, or null when the backup did not record it. */
    String backupClusterId() {
        return getString(TASK_BACKUP_CLUSTER_ID);
    }

    Map<String, Integer> targetPartitionCounts() {
        Map<String, Integer> counts = new TreeMap<>();
        for (String entry : getList(TASK_TARGET_PARTITION_COUNTS)) {
            int colon = entry.lastIndexOf(':');
            counts.put(entry.substring(0, colon), Integer.parseInt(entry.substring(colon + 1)));
        }
        return counts;
    }
}
