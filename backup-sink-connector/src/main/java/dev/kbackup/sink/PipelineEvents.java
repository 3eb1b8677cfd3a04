package dev.kbackup.sink;

import dev.kbackup.format.SegmentInfo;
import org.apache.kafka.common.TopicPartition;

import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.function.Consumer;

/**
 * What the segment pipeline reports, handed from its thread to the task thread. On the pipeline thread it only
 * counts a stored segment and tells the partition's writer, the one owner of the durable offset, how far storage
 * holds its records, so a commit never waits for the task to drain; the rest waits in a queue for the task's next
 * {@code put}.
 */
final class PipelineEvents implements SegmentPipeline.Listener {

    /** Counts what storage holds (metrics). */
    interface StoredSegments {
        void stored(SegmentInfo segment, long uploadNanos);
    }

    private final PartitionWriters writers;
    private final StoredSegments stored;
    private final ConcurrentLinkedQueue<PipelineEvent> queue = new ConcurrentLinkedQueue<>();

    PipelineEvents(PartitionWriters writers, StoredSegments stored) {
        this.writers = writers;
        this.stored = stored;
    }

    @Override
    public void completed(TopicPartition partition, SegmentInfo segment, long uploadNanos) {
        // counted before the durable offset moves, so that no reader sees the lag at zero but the bytes not stored
        stored.stored(segment, uploadNanos);
        markDurable(partition, segment.lastOffset());
        queue.add(PipelineEvent.completed(partition, segment, uploadNanos));
    }

    @Override
    public void superseded(TopicPartition partition, String key, SegmentInfo existing) {
        markDurable(partition, existing.lastOffset());
        queue.add(PipelineEvent.superseded(partition, key, existing));
    }

    @Override
    public void failed(TopicPartition partition, String key, Throwable cause) {
        queue.add(PipelineEvent.failed(partition, key, cause));
    }

    /** Hands every queued event to {@code handler}, in the order they happened; task thread. */
    void drainTo(Consumer<PipelineEvent> handler) {
        PipelineEvent event;
        while ((event = queue.poll()) != null) {
            handler.accept(event);
        }
    }

    private void markDurable(TopicPartition partition, long offset) {
        PartitionWriter writer = writers.get(partition);
        if (writer != null) {
            writer.markDurable(offset);
        }
    }
}
