package dev.kbackup.restore;

import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigException;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/** Renames backed-up topics on restore: {@code orders:orders-restored,payments:payments-copy}. */
final class TopicMapping {

    static final TopicMapping IDENTITY = new TopicMapping(Map.of());
    private static final Pattern TOPIC = Pattern.compile("[A-Za-z0-9._-]{1,249}");

    private final Map<String, String> targets;

    private TopicMapping(Map<String, String> targets) {
        this.targets = Collections.unmodifiableMap(targets);
    }

    /** Parses {@code source:target} entries; throws ConfigException on the first malformed one. */
    static TopicMapping parse(List<String> entries) {
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
        return new TopicMapping(targets);
    }

    /** The topic that records of {@code source} are restored to: its mapping, or its own name. */
    String target(String source) {
        return targets.getOrDefault(source, source);
    }

    boolean isMapped(String source) {
        return targets.containsKey(source);
    }

    Map<String, String> entries() {
        return targets;
    }

    static boolean isLegalTopic(String topic) {
        return TOPIC.matcher(topic).matches() && !topic.equals(".") && !topic.equals("..");
    }

    private static String checkTopic(String topic, String entry, List<String> entries) {
        if (!isLegalTopic(topic)) {
            throw new ConfigException(RestoreConfig.TOPIC_MAPPING, String.join(",", entries), "entry '" + entry
                    + "': '" + topic + "' is not a legal topic name (1-249 of letters, digits, '.', '_', '-')");
        }
        return topic;
    }

    static ConfigDef.Validator validator() {
        return new ConfigDef.Validator() {
            @Override
            @SuppressWarnings("unchecked")
            public void ensureValid(String name, Object value) {
                if (value != null) {
                    parse((List<String>) value);
                }
            }

            @Override
            public String toString() {
                return "comma-separated sourceTopic:targetTopic pairs";
            }
        };
    }
}
