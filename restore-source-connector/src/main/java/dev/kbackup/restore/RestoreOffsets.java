package dev.kbackup.restore;

import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.connect.storage.OffsetStorageReader;

import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The source partitions and offsets a restore records in Connect: partition {@code {backup.id, topic, partition}}
 * (the backed-up topic-partition), offset {@code {offset: last original offset produced}}. A restarted task resumes
 * after that offset.
 */
final class RestoreOffsets {

    static final String BACKUP_ID = "backup.id";
    static final String TOPIC = "topic";
    static final String PARTITION = "partition";
    static final String OFFSET = "offset";

    private RestoreOffsets() {
    }

    static Map<String, Object> sourcePartition(String backupId, TopicPartition source) {
        // one fixed key order: Connect serializes these maps as JSON and matches stored offsets by the bytes
        Map<String, Object> partition = new LinkedHashMap<>(4);
        partition.put(BACKUP_ID, backupId);
        partition.put(TOPIC, source.topic());
        partition.put(PARTITION, source.partition());
        return partition;
    }

    static Map<String, Object> sourceOffset(long offset) {
        return Map.of(OFFSET, offset);
    }

    /** The topic-partition a source partition map names, or null if the map is not one of ours. */
    static TopicPartition topicPartition(Map<String, ?> sourcePartition) {
        if (sourcePartition == null || !(sourcePartition.get(TOPIC) instanceof String topic)
                || !(sourcePartition.get(PARTITION) instanceof Number partition)) {
            return null;
        }
        return new TopicPartition(topic, partition.intValue());
    }

    /** The offset a source offset map holds, or -1 if none. */
    static long offset(Map<String, ?> sourceOffset) {
        if (sourceOffset == null || !(sourceOffset.get(OFFSET) instanceof Number offset)) {
            return -1;
        }
        return offset.longValue();
    }

    /** Last restored original offset of each partition, -1 for partitions never restored. */
    static Map<TopicPartition, Long> read(OffsetStorageReader reader, String backupId,
                                          Collection<TopicPartition> partitions) {
        List<Map<String, Object>> keys = new ArrayList<>();
        partitions.forEach(partition -> keys.add(sourcePartition(backupId, partition)));
        Map<Map<String, Object>, Map<String, Object>> stored = reader.offsets(keys);
        Map<TopicPartition, Long> result = new HashMap<>();
        for (TopicPartition partition : partitions) {
            Map<String, Object> offset = stored == null ? null : stored.get(sourcePartition(backupId, partition));
            result.put(partition, offset(offset));
        }
        return result;
    }

    /**
     * Why an offset that a user wants to set (KIP-875) is not one of ours, or null if it is fine.
     */
    static String problem(Map<String, ?> partition, Map<String, ?> offset) {
        if (topicPartition(partition) == null || !(partition.get(BACKUP_ID) instanceof String)) {
            return "source partition " + partition + " must have the keys " + BACKUP_ID + " (string), " + TOPIC
                    + " (string) and " + PARTITION + " (integer)";
        }
        if (offset != null && !(offset.get(OFFSET) instanceof Number)) {
            return "source offset " + offset + " of " + partition + " must be {\"" + OFFSET
                    + "\": last restored original offset}";
        }
        return null;
    }
}
