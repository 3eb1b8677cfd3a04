package dev.kbackup.sink;

import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.stream.IntStream;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** Background looks take turns over the owned partitions, a bounded number per run. */
class PartitionTurnsTest {

    private static final Instant T0 = Instant.parse("2026-11-29T08:00:00Z");
    private static final Duration RECHECK = Duration.ofMinutes(1);
    private final List<TopicPartition> owned = IntStream.range(0, 5).mapToObj(p -> new TopicPartition("t", p))
            .toList();

    @Test
    void eachRunStartsAfterTheLastPartitionLookedAtAndSkipsThoseLookedAtWithinTheRecheck() {
        PartitionTurns turns = new PartitionTurns(2);

        assertEquals(List.of(tp(0), tp(1)), turns.due(owned, T0, RECHECK));
        turns.looked(tp(0), T0);
        turns.looked(tp(1), T0);
        assertEquals(List.of(tp(2), tp(3)), turns.due(owned, T0, RECHECK));
        turns.looked(tp(2), T0);
        // tp(3) was due but not looked at (a merge ended the run): it comes first next time
        assertEquals(List.of(tp(3), tp(4)), turns.due(owned, T0, RECHECK));
        turns.looked(tp(3), T0);
        turns.lookAgain(tp(4));
        assertEquals(List.of(tp(4)), turns.due(owned, T0.plusSeconds(30), RECHECK), "only what had more to do");
        assertEquals(List.of(tp(0), tp(1)), turns.due(owned, T0.plus(RECHECK), RECHECK), "a minute on, in turn");
    }

    @Test
    void aPartitionThatLeftAndCameBackIsDueAtOnce() {
        PartitionTurns turns = new PartitionTurns(5);
        owned.forEach(partition -> turns.looked(partition, T0));
        assertEquals(List.of(), turns.due(owned, T0, RECHECK));

        assertEquals(List.of(), turns.due(owned.subList(1, 5), T0, RECHECK));
        assertEquals(List.of(tp(0)), turns.due(owned, T0, RECHECK));
    }

    private static TopicPartition tp(int partition) {
        return new TopicPartition("t", partition);
    }
}
