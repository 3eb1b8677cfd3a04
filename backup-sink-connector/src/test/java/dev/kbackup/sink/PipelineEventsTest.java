package dev.kbackup.sink;

import dev.kbackup.format.Codec;
import dev.kbackup.format.SegmentInfo;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

class PipelineEventsTest {

    @TempDir
    Path dir;

    @Test
    void aStoredSegmentIsCountedBeforeItsDurableOffsetIsVisible() {
        try (WriterFixture fixture = new WriterFixture(dir, 1 << 20)) {
            TopicPartition partition = new TopicPartition("orders", 0);
            PartitionWriter writer = fixture.open(partition, -1);
            List<Long> durableWhenCounted = new ArrayList<>();
            PipelineEvents events = new PipelineEvents(fixture.writers,
                    (segment, nanos) -> durableWhenCounted.add(writer.durableOffset()));
            SegmentInfo segment = new SegmentInfo("b1/topics/orders/partition=0/segment-00000000000000000000.zst",
                    "orders", 0, Codec.ZSTD, 0, 99, 100, 1_000, 2_000, 4_096, 16_384, 0, 1, 0);

            events.completed(partition, segment, 1_000);

            // a metrics scrape in between must never see the lag at 0 with the segment's bytes not yet counted
            assertEquals(List.of(-1L), durableWhenCounted, "counted while the durable offset was still before it");
            assertEquals(99, writer.durableOffset());
        }
    }
}
