package dev.kbackup.sink;

import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigDef.Importance;
import org.apache.kafka.common.config.ConfigDef.Type;
import org.apache.kafka.connect.sink.SinkTask;

import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;

/**
 * A task's settings: the connector's, plus the task's number (which names its side-store) and the topics the
 * connector lists explicitly (which decides whether internal topics are backed up).
 */
final class BackupSinkTaskConfig extends BackupSinkConfig {

    /** Added to each task's config by the connector. */
    static final String TASK_NUMBER = "kbackup.task.number";

    private static final ConfigDef TASK_DEF = new ConfigDef(CONFIG_DEF)
            .define(TASK_NUMBER, Type.INT, 0, Importance.LOW, "Number of this task, set by the connector.")
            .define(SinkTask.TOPICS_CONFIG, Type.LIST, "", Importance.LOW,
                    "Topics the connector lists explicitly, as Connect passes them on to each task.");

    BackupSinkTaskConfig(Map<String, String> props) {
        super(TASK_DEF, props);
    }

    /** The connector's config plus one task's number. */
    static Map<String, String> forTask(Map<String, String> connectorProps, int taskNumber) {
        Map<String, String> props = new HashMap<>(connectorProps);
        props.put(TASK_NUMBER, Integer.toString(taskNumber));
        return props;
    }

    /** The task's number as the connector assigned it, 0 outside Connect. */
    int taskNumber() {
        return getInt(TASK_NUMBER);
    }

    /** The topics listed in {@code topics}; empty when the connector selects topics by {@code topics.regex}. */
    Set<String> topics() {
        Set<String> topics = new LinkedHashSet<>();
        for (String topic : getList(SinkTask.TOPICS_CONFIG)) {
            if (!topic.isBlank()) {
                topics.add(topic.trim());
            }
        }
        return topics;
    }
}
