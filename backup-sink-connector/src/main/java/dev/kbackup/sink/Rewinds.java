package dev.kbackup.sink;

import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.connect.sink.SinkTaskContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.Map;

/**
 * Reading partitions again after a storage problem: a partition whose segment failed (or was superseded) drops
 * what it holds beyond its durable offset at once, and at the task's next chance every partition is sought back
 * to the first offset it does not hold. Task thread only.
 */
final class Rewinds {

    private static final Logger log = LoggerFactory.getLogger(Rewinds.class);

    private final PartitionWriters writers;
    private final SegmentPipeline pipeline;
    private final SinkTaskContext context;
    private final Runnable rewound;
    private boolean pending;

    /** @param rewound told of every rewind, for the metrics */
    Rewinds(PartitionWriters writers, SegmentPipeline pipeline, SinkTaskContext context, Runnable rewound) {
        this.writers = writers;
        this.pipeline = pipeline;
        this.context = context;
        this.rewound = rewound;
    }

    /** Drops what the partition holds beyond its durable offset and lets its new segments through again. */
    void restart(TopicPartition partition) {
        PartitionWriter writer = writers.get(partition);
        if (writer == null) {
            return;
        }
        writer.discard();
        pipeline.reset(partition);
        pending = true;
    }

    /** Whether a partition restarted since the last rewind. */
    boolean pending() {
        return pending;
    }

    /** Seeks every partition to the first offset it does not hold; the records of the current batch come again. */
    void rewind() {
        Map<TopicPartition, Long> seekTo = writers.seekAll();
        context.offset(seekTo);
        pending = false;
        rewound.run();
        log.info("Reading partitions again from {} after a storage problem", seekTo);
    }
}
