package dev.kbackup.layout;

import org.apache.kafka.common.TopicPartition;

import java.nio.charset.StandardCharsets;
import java.util.zip.CRC32C;

/**
 * The object keys a restore writes about itself, next to {@link BackupLayout} which names the backup's own, under
 * {@code {prefix}/{backup.id}/restores/{connector}/}:
 * <pre>
 * summary-task-{n}.json                         the completion summary of task n
 * offset-map/{topic}/partition={p}.json         original to target offset syncs of one restored partition
 * group-offsets-task-{n}.json                   consumer group offsets task n translated (restore.consumer.groups)
 * </pre>
 * The connector name is made path-safe: characters other than letters, digits, '.', '_' and '-' become '_', and
 * a name that needed that gets a checksum suffix so that two names never share a folder.
 */
public final class RestoreKeys {

    private final String root;

    public RestoreKeys(BackupLayout layout, String connectorName) {
        this.root = layout.restoresPrefix() + pathElement(connectorName) + "/";
    }

    public String root() {
        return root;
    }

    public String summaryKey(int task) {
        return root + "summary-task-" + task + ".json";
    }

    public String groupOffsetsKey(int task) {
        return root + "group-offsets-task-" + task + ".json";
    }

    /** @throws IllegalArgumentException if the topic is no legal Kafka topic name (it comes from the catalog) */
    public String offsetMapKey(TopicPartition source) {
        if (!BackupLayout.isLegalTopic(source.topic()) || source.partition() < 0) {
            throw new IllegalArgumentException("'" + source + "' is not a legal topic-partition: its offset map "
                    + "would be written outside " + root + "offset-map/");
        }
        return root + "offset-map/" + source.topic() + "/partition=" + source.partition() + ".json";
    }

    static String pathElement(String name) {
        StringBuilder safe = new StringBuilder(name.length());
        boolean changed = name.isEmpty() || name.startsWith(".");
        for (int i = 0; i < name.length(); i++) {
            char c = name.charAt(i);
            if (c < 128 && (Character.isLetterOrDigit(c) || c == '.' || c == '_' || c == '-')) {
                safe.append(c);
            } else {
                safe.append('_');
                changed = true;
            }
        }
        if (!changed) {
            return safe.toString();
        }
        CRC32C crc = new CRC32C();
        crc.update(name.getBytes(StandardCharsets.UTF_8));
        return "_" + safe + "-" + String.format("%08x", crc.getValue());
    }
}
