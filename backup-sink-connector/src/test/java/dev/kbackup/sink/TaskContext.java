package dev.kbackup.sink;

import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.metrics.PluginMetrics;
import org.apache.kafka.connect.sink.SinkTaskContext;

import java.util.HashMap;
import java.util.Map;
import java.util.Set;

/** What Connect gives a sink task, recording the seeks the task asks for. */
final class TaskContext implements SinkTaskContext {

    private final Map<TopicPartition, Long> seeks = new HashMap<>();
    private final PluginMetrics metrics;
    private Set<TopicPartition> assignment = Set.of();

    /** @param metrics what {@link #pluginMetrics} returns; null for none */
    TaskContext(PluginMetrics metrics) {
        this.metrics = metrics;
    }

    void assign(Set<TopicPartition> partitions) {
        assignment = Set.copyOf(partitions);
    }

    /** The seeks asked for since the last call, as Connect applies them before its next poll. */
    Map<TopicPartition, Long> takeSeeks() {
        Map<TopicPartition, Long> taken = new HashMap<>(seeks);
        seeks.clear();
        return taken;
    }

    @Override
    public Map<String, String> configs() {
        return Map.of();
    }

    @Override
    public void offset(Map<TopicPartition, Long> offsets) {
        seeks.putAll(offsets);
    }

    @Override
    public void offset(TopicPartition partition, long offset) {
        seeks.put(partition, offset);
    }

    @Override
    public void timeout(long timeoutMs) {
    }

    @Override
    public Set<TopicPartition> assignment() {
        return assignment;
    }

    @Override
    public void pause(TopicPartition... partitions) {
    }

    @Override
    public void resume(TopicPartition... partitions) {
    }

    @Override
    public void requestCommit() {
    }

    @Override
    public PluginMetrics pluginMetrics() {
        return metrics;
    }
}
