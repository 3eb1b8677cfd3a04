package dev.kbackup.restore;

import org.apache.kafka.common.TopicPartition;

/** Where each backed-up partition is restored: explicit partition mappings first, then the topic mapping. */
final class TargetRouter {

    private final TopicRenames topics;
    private final PartitionRoutes partitions;

    TargetRouter(TopicRenames topics, PartitionRoutes partitions) {
        this.topics = topics;
        this.partitions = partitions;
    }

    TopicPartition target(TopicPartition source) {
        PartitionRoutes.Target explicit = partitions.get(source);
        if (explicit == null) {
            return new TopicPartition(topics.target(source.topic()), source.partition());
        }
        String topic = explicit.topic() != null ? explicit.topic() : topics.target(source.topic());
        return new TopicPartition(topic, explicit.partition());
    }

    PartitionRoutes partitionMapping() {
        return partitions;
    }
}
