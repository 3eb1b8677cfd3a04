package dev.kbackup.restore;

import dev.kbackup.format.TimeWindow;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.connect.storage.OffsetStorageReader;

import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The source partitions and offsets a restore records in Connect. Partition: {@code {backup.id, topic, partition}}
 * (the backed-up topic-partition). Offset: {@code {offset, target.topic, target.partition[, window.start]
 * [, window.end]}}: the last original offset produced and what it is relative to, the target partition it was
 * produced to and the window it was selected by (a bound is absent when open). A restarted task resumes after
 * that offset only if its target and window are still the same.
 */
final class RestoreOffsets {

    static final String BACKUP_ID = "backup.id";
    static final String TOPIC = "topic";
    static final String PARTITION = "partition";
    static final String OFFSET = "offset";
    static final String TARGET_TOPIC = "target.topic";
    static final String TARGET_PARTITION = "target.partition";
    static final String WINDOW_START = "window.start";
    static final String WINDOW_END = "window.end";

    /** Where restored records went and which timestamps were selected: what a stored offset is relative to. */
    record Scope(TopicPartition target, TimeWindow window) {

        @Override
        public String toString() {
            return "target " + target + ", window " + window;
        }
    }

    /**
     * A stored resume point: the last original offset produced, and its scope, or null for an offset stored
     * without one (set by hand through Connect's REST API).
     */
    record Stored(long offset, Scope scope) {

        boolean isFor(Scope current) {
            return scope == null || scope.equals(current);
        }
    }

    private RestoreOffsets() {
    }

    static Map<String, Object> sourcePartition(String backupId, TopicPartition source) {
        // Connect matches stored offsets by the JSON bytes of this map. Its offset REST API (KIP-875) reads stored
        // partitions back into a default HashMap and writes them again to delete or alter their offsets: a map
        // built the same way has the same key order, so those bytes match ours and a DELETE really resets.
        Map<String, Object> partition = new HashMap<>();
        partition.put(BACKUP_ID, backupId);
        partition.put(TOPIC, source.topic());
        partition.put(PARTITION, source.partition());
        return partition;
    }

    static Map<String, Object> sourceOffset(long offset, Scope scope) {
        Map<String, Object> sourceOffset = new LinkedHashMap<>(8);
        sourceOffset.put(OFFSET, offset);
        sourceOffset.put(TARGET_TOPIC, scope.target().topic());
        sourceOffset.put(TARGET_PARTITION, scope.target().partition());
        if (scope.window().start() != Long.MIN_VALUE) {
            sourceOffset.put(WINDOW_START, scope.window().start());
        }
        if (!scope.window().isOpenEnded()) {
            sourceOffset.put(WINDOW_END, scope.window().end());
        }
        return sourceOffset;
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

    /** The resume point a source offset map holds, or null if it holds none. */
    static Stored stored(Map<String, ?> sourceOffset) {
        long offset = offset(sourceOffset);
        if (offset < 0) {
            return null;
        }
        if (!(sourceOffset.get(TARGET_TOPIC) instanceof String topic)
                || !(sourceOffset.get(TARGET_PARTITION) instanceof Number partition)) {
            return new Stored(offset, null);
        }
        long start = sourceOffset.get(WINDOW_START) instanceof Number n ? n.longValue() : Long.MIN_VALUE;
        long end = sourceOffset.get(WINDOW_END) instanceof Number n ? n.longValue() : Long.MAX_VALUE;
        return new Stored(offset, new Scope(new TopicPartition(topic, partition.intValue()),
                new TimeWindow(start, Math.max(start, end))));
    }

    /** The resume point of each partition that has one. */
    static Map<TopicPartition, Stored> read(OffsetStorageReader reader, String backupId,
                                            Collection<TopicPartition> partitions) {
        List<Map<String, Object>> keys = new ArrayList<>();
        partitions.forEach(partition -> keys.add(sourcePartition(backupId, partition)));
        Map<Map<String, Object>, Map<String, Object>> offsets = reader.offsets(keys);
        Map<TopicPartition, Stored> result = new HashMap<>();
        for (TopicPartition partition : partitions) {
            Stored stored = stored(offsets == null ? null : offsets.get(sourcePartition(backupId, partition)));
            if (stored != null) {
                result.put(partition, stored);
            }
        }
        return result;
    }

    /**
     * Why an offset that a user wants to set (KIP-875) is not one of ours, or null if it is fine. The scope keys
     * are optional: an offset without them resumes whatever the connector's target and window.
     */
    static String problem(Map<String, ?> partition, Map<String, ?> offset) {
        if (topicPartition(partition) == null || !(partition.get(BACKUP_ID) instanceof String)) {
            return "source partition " + partition + " must have the keys " + BACKUP_ID + " (string), " + TOPIC
                    + " (string) and " + PARTITION + " (integer)";
        }
        if (offset == null) {
            return null;
        }
        boolean targetTyped = (offset.get(TARGET_TOPIC) == null || offset.get(TARGET_TOPIC) instanceof String)
                && (offset.get(TARGET_PARTITION) == null || offset.get(TARGET_PARTITION) instanceof Number)
                && (offset.get(TARGET_TOPIC) == null) == (offset.get(TARGET_PARTITION) == null);
        boolean windowTyped = (offset.get(WINDOW_START) == null || offset.get(WINDOW_START) instanceof Number)
                && (offset.get(WINDOW_END) == null || offset.get(WINDOW_END) instanceof Number);
        if (!(offset.get(OFFSET) instanceof Number) || !targetTyped || !windowTyped) {
            return "source offset " + offset + " of " + partition + " must be {\"" + OFFSET
                    + "\": last restored original offset}, optionally with \"" + TARGET_TOPIC + "\" (string) and \""
                    + TARGET_PARTITION + "\" (integer) together, \"" + WINDOW_START + "\" and \"" + WINDOW_END
                    + "\" (epoch milliseconds)";
        }
        return null;
    }

    /** How a person starts a restore of {@code connector} over: what every message about resuming ends with. */
    static String howToStartOver(String connector) {
        String path = "/connectors/" + connector;
        return "stop the connector (PUT " + path + "/stop), delete its offsets (DELETE " + path + "/offsets, or "
                + "PATCH " + path + "/offsets with a null offset for single partitions) and resume it (PUT " + path
                + "/resume); or post the configuration under a new connector name";
    }
}
