package dev.kbackup.sink;

import java.util.Set;

/**
 * Which topics the task leaves out: Kafka's internal topics, which a pattern subscription can match, unless the
 * connector lists them explicitly in {@code topics}.
 */
final class InternalTopicFilter {

    private static final Set<String> INTERNAL_TOPICS = Set.of("__consumer_offsets", "__transaction_state");

    private final Set<String> explicitTopics;

    InternalTopicFilter(Set<String> explicitTopics) {
        this.explicitTopics = Set.copyOf(explicitTopics);
    }

    /** True if {@code topic} is an internal topic nobody asked for by name. */
    boolean skips(String topic) {
        return INTERNAL_TOPICS.contains(topic) && !explicitTopics.contains(topic);
    }
}
