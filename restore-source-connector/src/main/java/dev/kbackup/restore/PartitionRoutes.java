package dev.kbackup.restore;

import dev.kbackup.layout.BackupLayout;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigException;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Explicit partition remaps, comma-separated: {@code orders/3:0} sends partition 3 of backed-up topic
 * {@code orders} to partition 0 of its target topic (see {@link TopicRenames}); {@code orders/3:archive/7} sends it
 * to partition 7 of topic {@code archive}.
 */
final class PartitionRoutes {

    static final PartitionRoutes NONE = new PartitionRoutes(Map.of());

    /** Where one source partition goes; {@code topic} is null when the entry names only a partition. */
    record Target(String topic, int partition) {
    }

    private final Map<TopicPartition, Target> entries;

    private PartitionRoutes(Map<TopicPartition, Target> entries) {
        this.entries = Collections.unmodifiableMap(entries);
    }

    static PartitionRoutes parse(List<String> values) {
        Map<TopicPartition, Target> entries = new LinkedHashMap<>();
        String all = String.join(",", values);
        for (String raw : values) {
            String entry = raw.trim();
            if (entry.isEmpty()) {
                continue;
            }
            String[] sides = entry.split(":", -1);
            if (sides.length != 2) {
                throw malformed(all, entry);
            }
            TopicPartition source = topicPartition(sides[0].trim(), all, entry);
            String right = sides[1].trim();
            Target target;
            if (right.contains("/")) {
                TopicPartition explicit = topicPartition(right, all, entry);
                target = new Target(explicit.topic(), explicit.partition());
            } else {
                target = new Target(null, partition(right, all, entry));
            }
            if (entries.putIfAbsent(source, target) != null) {
                throw new ConfigException(RestoreConfig.PARTITION_MAPPING, all, "partition " + source.topic() + "/"
                        + source.partition() + " is mapped twice; give each source partition one target");
            }
        }
        return new PartitionRoutes(entries);
    }

    Target get(TopicPartition source) {
        return entries.get(source);
    }

    Map<TopicPartition, Target> entries() {
        return entries;
    }

    private static TopicPartition topicPartition(String text, String all, String entry) {
        int slash = text.lastIndexOf('/');
        if (slash <= 0) {
            throw malformed(all, entry);
        }
        String topic = text.substring(0, slash).trim();
        if (!BackupLayout.isLegalTopic(topic)) {
            throw new ConfigException(RestoreConfig.PARTITION_MAPPING, all, "entry '" + entry + "': '" + topic
                    + "' is not a legal topic name");
        }
        return new TopicPartition(topic, partition(text.substring(slash + 1), all, entry));
    }

    private static int partition(String text, String all, String entry) {
        String trimmed = text.trim();
        if (!trimmed.matches("\\d{1,9}")) {
            throw new ConfigException(RestoreConfig.PARTITION_MAPPING, all, "entry '" + entry + "': '" + trimmed
                    + "' is not a partition number");
        }
        return Integer.parseInt(trimmed);
    }

    private static ConfigException malformed(String all, String entry) {
        return new ConfigException(RestoreConfig.PARTITION_MAPPING, all, "entry '" + entry + "' must be "
                + "topic/partition:targetPartition or topic/partition:targetTopic/targetPartition, e.g. orders/3:0 "
                + "or orders/3:orders-archive/0");
    }

    @SuppressWarnings("unchecked")
    static ConfigDef.Validator validator() {
        return ConfigDef.LambdaValidator.with((name, value) -> {
            if (value != null) {
                parse((List<String>) value);
            }
        }, () -> "comma-separated topic/partition:targetPartition or topic/partition:targetTopic/targetPartition");
    }
}
