package dev.kbackup.restore;

import org.apache.kafka.common.TopicPartition;

/** Where each backed-up partition is restored: explicit partition mappings first, then the topic mapping. */
final class TargetRouter {

    private final TopicMapping topics;
    private final PartitionMapping partitions;

    TargetRouter(TopicMapping topics, PartitionMapping partitions) {
        this.topics = topics;
        this.partitions = partitions;
    }

    TopicPartition target(TopicPartition source) {
        PartitionMapping.Target explicit = partitions.get(source);
        if (explicit == null) {
            return new TopicPartition(topics.target(source.topic()), source.partition());
        }
        String topic = explicit.topic() != null ? explicit.topic() : topics.target(source.topic());
        return new TopicPartition(topic, explicit.partition());
    }

    PartitionMapping partitionMapping() {
        return partitions;
    }
}
