package dev.kbackup.sink;

import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;

import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.ToLongFunction;

/**
 * The task's partition writers, one per owned topic-partition, and the questions the task asks all of them at
 * once. Changed on the task thread; the pipeline thread and metric reporters look writers up concurrently.
 */
final class PartitionWriters {

    /** Written with every committed offset, so that Connect cannot mistake a commit for one it skipped. */
    static final String COMMIT_METADATA = "kbackup: durable in storage";

    private final Map<TopicPartition, PartitionWriter> writers = new ConcurrentHashMap<>();

    PartitionWriter get(TopicPartition partition) {
        return writers.get(partition);
    }

    void put(TopicPartition partition, PartitionWriter writer) {
        writers.put(partition, writer);
    }

    PartitionWriter remove(TopicPartition partition) {
        return writers.remove(partition);
    }

    Set<TopicPartition> partitions() {
        return writers.keySet();
    }

    Collection<PartitionWriter> all() {
        return writers.values();
    }

    /**
     * One past the last offset inside a complete segment, per partition, never beyond what Connect has consumed,
     * asked of each writer. The offsets carry {@link #COMMIT_METADATA}: a seek makes Connect record the sought
     * offset as committed without committing it, and skip a commit "with no change"; an offset with metadata
     * differs from that record, so on an idle partition the durable position still reaches the group.
     */
    Map<TopicPartition, OffsetAndMetadata> committable(Map<TopicPartition, OffsetAndMetadata> consumed) {
        Map<TopicPartition, OffsetAndMetadata> durable = new HashMap<>();
        consumed.forEach((partition, position) -> {
            PartitionWriter writer = writers.get(partition);
            long offset = writer == null ? -1 : writer.durableOffset();
            if (offset >= 0) {
                durable.put(partition, new OffsetAndMetadata(Math.min(offset + 1, position.offset()),
                        COMMIT_METADATA));
            }
        });
        return durable;
    }

    /** Tells every writer its consumer is sought back; returns where each resumes. */
    Map<TopicPartition, Long> seekAll() {
        Map<TopicPartition, Long> seekTo = new HashMap<>();
        writers.forEach((partition, writer) -> {
            writer.sought();
            seekTo.put(partition, writer.resumeOffset());
        });
        return seekTo;
    }

    void rollAged(long now) {
        writers.values().forEach(writer -> writer.rollIfOlderThanMax(now));
    }

    void rollAll() {
        writers.values().forEach(PartitionWriter::roll);
    }

    /** Milliseconds until the first open segment is due to roll by age, or -1 if none is open. */
    long millisUntilFirstRoll(long now) {
        long wait = -1;
        for (PartitionWriter writer : writers.values()) {
            long untilRoll = writer.millisUntilRoll(now);
            if (untilRoll >= 0 && (wait < 0 || untilRoll < wait)) {
                wait = untilRoll;
            }
        }
        return wait;
    }

    int openSegments() {
        return (int) writers.values().stream().filter(w -> w.state() == PartitionWriter.State.WRITING).count();
    }

    /**
     * Seals the largest open blocks of at least {@code minBlockBytes} (see {@link PartitionWriter#sealOpenBlock})
     * until they held {@code bytes}; returns how many it sealed. Their segments stay open.
     */
    int sealLargestBlocks(long bytes, int minBlockBytes) {
        return largestFirst(PartitionWriter::openBlockBytes, bytes, writer -> writer.sealOpenBlock(minBlockBytes));
    }

    /** Closes the open segments holding the most memory until they cover {@code bytes}; returns how many. */
    int closeLargestSegments(long bytes) {
        return largestFirst(PartitionWriter::heldBytes, bytes, writer -> {
            long held = writer.heldBytes();
            writer.roll();
            return held;
        });
    }

    /** Relieves writers, the largest by {@code size} first, until what they held covers {@code bytes}. */
    private int largestFirst(ToLongFunction<PartitionWriter> size, long bytes,
                             ToLongFunction<PartitionWriter> relieve) {
        List<PartitionWriter> largestFirst = writers.values().stream().filter(w -> size.applyAsLong(w) > 0)
                .sorted(Comparator.comparingLong(size).reversed()).toList();
        long covered = 0;
        int relieved = 0;
        for (PartitionWriter writer : largestFirst) {
            if (covered >= bytes) {
                break;
            }
            long held = relieve.applyAsLong(writer);
            if (held > 0) {
                covered += held;
                relieved++;
            }
        }
        return relieved;
    }
}
