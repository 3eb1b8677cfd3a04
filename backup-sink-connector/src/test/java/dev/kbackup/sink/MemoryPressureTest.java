package dev.kbackup.sink;

import dev.kbackup.format.BlockEncoder;
import dev.kbackup.memory.HeapCost;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.connect.errors.RetriableException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Back-pressure: wait for the pipeline while it works; once it is idle, seal the largest open blocks, and close the
 * largest segments if that is not enough.
 */
class MemoryPressureTest {

    private static final TopicPartition ORDERS_0 = new TopicPartition("orders", 0);
    private static final TopicPartition ORDERS_1 = new TopicPartition("orders", 1);

    @TempDir
    Path dir;
    private WriterFixture fixture;

    @BeforeEach
    void setUp() {
        fixture = new WriterFixture(dir, 50_000);
    }

    @AfterEach
    void tearDown() {
        fixture.close();
    }

    @Test
    void withThePipelineIdleTheLargestOpenBlockIsSealedAndItsSegmentGoesOn() {
        PartitionWriter large = overTheBudget();
        PartitionWriter small = fixture.writers.get(ORDERS_0);

        assertTrue(pressure(Clock.systemUTC(), () -> false).relieve());

        assertEquals(PartitionWriter.State.WRITING, large.state(), "sealing its block was enough: no segment cut");
        assertEquals(0, large.openBlockBytes(), "its block went to the pipeline");
        assertEquals(-1, large.durableOffset(), "its segment is still open");
        assertEquals(PartitionWriter.State.WRITING, small.state());
        assertTrue(fixture.budget.held() <= fixture.budget.limit(), "held " + fixture.budget.held());

        large.accept(WriterFixture.record(1, 10), 0);
        large.roll();
        assertEquals(1, large.durableOffset(), "one segment with the sealed block and the records after it");
        assertEquals(List.of(fixture.layout.segmentKey("orders", 1, 0, dev.kbackup.format.Codec.ZSTD)),
                keysUnder(fixture.layout.partitionSegmentsPrefix("orders", 1)));
    }

    @Test
    void blocksTooSmallToSealAreRelievedByClosingTheLargestSegments() {
        int small = MemoryPressure.minSealBytes(WriterFixture.BLOCK_BYTES) - 1_000;
        List<PartitionWriter> writers = new ArrayList<>();
        for (int p = 0; p < 4; p++) {
            PartitionWriter writer = fixture.open(new TopicPartition("orders", p), -1);
            writer.accept(WriterFixture.record(0, small - p * 100), 0);
            writers.add(writer);
        }
        assertTrue(fixture.budget.exceeded(), "open blocks hold " + fixture.budget.held());

        assertTrue(pressure(Clock.systemUTC(), () -> false).relieve());

        // four blocks of equal capacity: closing two covers the excess and the margin
        List<PartitionWriter> closed = writers.stream().filter(w -> w.state() == PartitionWriter.State.IDLE).toList();
        assertEquals(2, closed.size());
        closed.forEach(writer -> assertEquals(0, writer.durableOffset(), "its segment completed"));
        assertTrue(fixture.budget.held() <= fixture.budget.limit(), "held " + fixture.budget.held());
    }

    @Test
    void buffersKeptForReuseGoBeforeAnyBlockIsSealed() {
        long fullBuffer = HeapCost.ofArray(BlockEncoder.fullBufferBytes(WriterFixture.BLOCK_BYTES));
        fixture.close();
        fixture = new WriterFixture(dir.resolve("roomy"), 64 * fullBuffer);
        PartitionWriter busy = fixture.open(ORDERS_0, -1);
        long offset = 0;
        do {
            busy.accept(WriterFixture.record(offset++, 1_100), 0);
        } while (busy.openBlockBytes() > 0);
        assertEquals(fullBuffer, fixture.budget.pipelineBytes(), "the written block's buffer is kept");
        // open blocks smaller than a kept buffer take the budget just past its limit
        List<PartitionWriter> others = new ArrayList<>();
        for (int p = 1; !fixture.budget.exceeded(); p++) {
            PartitionWriter writer = fixture.open(new TopicPartition("orders", p), -1);
            writer.accept(WriterFixture.record(0, 400_000), 0);
            others.add(writer);
        }

        assertTrue(pressure(Clock.systemUTC(), () -> false).relieve());

        assertEquals(0, fixture.budget.pipelineBytes(), "the kept buffer was let go");
        others.forEach(writer -> assertTrue(writer.openBlockBytes() > 0, "no block was sealed early"));
        assertEquals(PartitionWriter.State.WRITING, busy.state(), "no segment was closed");
    }

    private List<String> keysUnder(String prefix) {
        List<String> keys = new ArrayList<>();
        fixture.store.list(prefix, null).forEachRemaining(object -> keys.add(object.key()));
        return keys;
    }

    @Test
    void aStorageFailureReportedMeanwhileStopsTheReliefForARewind() {
        PartitionWriter large = overTheBudget();

        assertFalse(pressure(Clock.systemUTC(), () -> true).relieve());
        assertEquals(PartitionWriter.State.WRITING, large.state(), "nothing closed: the task rewinds instead");
    }

    @Test
    void uploadsThatStayBehindForTheWholeWaitAskConnectToRedeliver() {
        PartitionWriter large = overTheBudget();
        fixture.budget.workQueued(); // the pipeline is busy with work that does not finish
        AtomicInteger reads = new AtomicInteger();
        Clock jumping = new Clock() { // every read is one wait later: the deadline passes on the second read
            @Override
            public long millis() {
                return reads.getAndIncrement() * 5_000L;
            }

            @Override
            public Instant instant() {
                return Instant.ofEpochMilli(millis());
            }

            @Override
            public java.time.ZoneId getZone() {
                return ZoneOffset.UTC;
            }

            @Override
            public Clock withZone(java.time.ZoneId zone) {
                return this;
            }
        };

        RetriableException behind = assertThrows(RetriableException.class, () -> pressure(jumping, () -> false)
                .relieve());
        assertTrue(behind.getMessage().contains("budget of 50000"), behind.getMessage());
        assertEquals(PartitionWriter.State.WRITING, large.state(), "nothing closed while the pipeline works");
        fixture.budget.workDone();
    }

    /** A small and a large open segment whose open blocks together hold more than the budget; returns the large. */
    private PartitionWriter overTheBudget() {
        fixture.open(ORDERS_0, -1).accept(WriterFixture.record(0, 100), 0);
        PartitionWriter large = fixture.open(ORDERS_1, -1);
        large.accept(WriterFixture.record(0, 40_000), 0);
        assertTrue(fixture.budget.exceeded(), "open blocks hold " + fixture.budget.held());
        return large;
    }

    private MemoryPressure pressure(Clock clock, java.util.function.BooleanSupplier storageFailed) {
        return new MemoryPressure(fixture.budget, fixture.writers, clock, 5_000, storageFailed,
                fixture.pipeline::dropSpareBuffers, "test store", WriterFixture.BLOCK_BYTES);
    }
}
