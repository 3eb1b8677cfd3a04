package dev.kbackup.restore;

import dev.kbackup.layout.BackupLayout;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigException;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Renames backed-up topics on restore: {@code orders:orders-restored,payments:payments-copy}. */
final class TopicRenames {

    static final TopicRenames IDENTITY = new TopicRenames(Map.of());

    private final Map<String, String> targets;

    private TopicRenames(Map<String, String> targets) {
        this.targets = Collections.unmodifiableMap(targets);
    }

    /** Parses {@code source:target} entries; throws ConfigException on the first malformed one. */
    static TopicRenames parse(List<String> entries) {
        Map<String, String> targets = new LinkedHashMap<>();
        for (String raw : entries) {
            String entry = raw.trim();
            if (entry.isEmpty()) {
                continue;
            }
            String[] parts = entry.split(":", -1);
            if (parts.length != 2) {
                throw new ConfigException(RestoreConfig.TOPIC_MAPPING, String.join(",", entries), "entry '" + entry
                        + "' must be sourceTopic:targetTopic, e.g. orders:orders-restored");
            }
            String source = checkTopic(parts[0].trim(), entry, entries);
            String target = checkTopic(parts[1].trim(), entry, entries);
            if (targets.putIfAbsent(source, target) != null) {
                throw new ConfigException(RestoreConfig.TOPIC_MAPPING, String.join(",", entries), "topic '" + source
                        + "' is mapped twice; give each source topic one target");
            }
        }
        return new TopicRenames(targets);
    }

    /** The topic that records of {@code source} are restored to: its mapping, or its own name. */
    String target(String source) {
        return targets.getOrDefault(source, source);
    }

    private static String checkTopic(String topic, String entry, List<String> entries) {
        if (!BackupLayout.isLegalTopic(topic)) {
            throw new ConfigException(RestoreConfig.TOPIC_MAPPING, String.join(",", entries), "entry '" + entry
                    + "': '" + topic + "' is not a legal topic name (1-249 of letters, digits, '.', '_', '-')");
        }
        return topic;
    }

    @SuppressWarnings("unchecked")
    static ConfigDef.Validator validator() {
        return ConfigDef.LambdaValidator.with((name, value) -> {
            if (value != null) {
                parse((List<String>) value);
            }
        }, () -> "comma-separated sourceTopic:targetTopic pairs");
    }
}
