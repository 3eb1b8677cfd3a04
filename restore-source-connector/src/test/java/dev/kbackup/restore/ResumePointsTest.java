package dev.kbackup.restore;

import dev.kbackup.format.TimeWindow;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.connect.errors.ConnectException;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ResumePointsTest {

    private static final TopicPartition EVENTS_0 = new TopicPartition("events", 0);
    private static final TopicPartition EVENTS_1 = new TopicPartition("events", 1);
    private static final TopicPartition T1_0 = new TopicPartition("events-t1", 0);
    private static final TopicPartition T1_1 = new TopicPartition("events-t1", 1);
    private static final TopicPartition T2_0 = new TopicPartition("events-t2", 0);
    private static final TimeWindow WINDOW = new TimeWindow(1_000, 2_000);

    @Test
    void resumesAfterOffsetsWrittenForTheSameTargetAndWindow() {
        Map<TopicPartition, RestoreOffsets.Stored> stored = Map.of(
                EVENTS_0, new RestoreOffsets.Stored(41, new RestoreOffsets.Scope(T1_0, WINDOW)));

        ResumePoints points = ResumePoints.check("b1", "r", plans(T1_0, T1_1), WINDOW, stored);

        assertEquals(41, points.resumeAfter(EVENTS_0));
        assertEquals(-1, points.resumeAfter(EVENTS_1));
    }

    @Test
    void aChangedTargetStopsTheTaskNamingThePartitionBothTargetsAndTheWaysOut() {
        Map<TopicPartition, RestoreOffsets.Stored> stored = Map.of(
                EVENTS_0, new RestoreOffsets.Stored(41, new RestoreOffsets.Scope(T1_0, WINDOW)),
                EVENTS_1, new RestoreOffsets.Stored(7, new RestoreOffsets.Scope(T1_1, WINDOW)));

        ConnectException error = assertThrows(ConnectException.class,
                () -> ResumePoints.check("b1", "restore-x", plans(T2_0, T1_1), WINDOW, stored));

        String message = error.getMessage();
        assertTrue(message.contains("cannot resume 1 partitions of backup b1"), message);
        assertTrue(message.contains("events-0: restored up to original offset 41 with target events-t1-0, window "
                + WINDOW + "; now configured: target events-t2-0, window " + WINDOW), message);
        assertTrue(message.contains("PUT /connectors/restore-x/stop"), message);
        assertTrue(message.contains("DELETE /connectors/restore-x/offsets"), message);
        assertTrue(message.contains("new connector name"), message);
        assertTrue(message.contains("back to what they were"), message);
    }

    @Test
    void aChangedWindowStopsTheTaskToo() {
        Map<TopicPartition, RestoreOffsets.Stored> stored = Map.of(
                EVENTS_0, new RestoreOffsets.Stored(41, new RestoreOffsets.Scope(T1_0, WINDOW)));
        TimeWindow earlierStart = new TimeWindow(500, 2_000);
        TimeWindow unsetEnd = new TimeWindow(1_000, Long.MAX_VALUE);

        for (TimeWindow changed : List.of(earlierStart, unsetEnd)) {
            ConnectException error = assertThrows(ConnectException.class,
                    () -> ResumePoints.check("b1", "r", plans(T1_0, T1_1), changed, stored));
            assertTrue(error.getMessage().contains("now configured: target events-t1-0, window " + changed),
                    error.getMessage());
        }
    }

    @Test
    void anOffsetSetByHandWithoutScopeIsResumedAfter() {
        ResumePoints points = ResumePoints.check("b1", "r", plans(T2_0, T1_1), WINDOW,
                Map.of(EVENTS_0, new RestoreOffsets.Stored(12, null)));

        assertEquals(12, points.resumeAfter(EVENTS_0));
    }

    @Test
    void aTargetEndingBeforeWhatTheEarlierRunWroteIsReported() {
        String emptied = ResumePoints.targetShortfall("b1", "r", EVENTS_0, T1_0, 999, 0, 499);
        assertTrue(emptied.contains("events-0 of backup b1 was restored up to original offset 999 into events-t1-0"),
                emptied);
        assertTrue(emptied.contains("wrote up to offset 499 of it"), emptied);
        assertTrue(emptied.contains("now ends at offset 0"), emptied);
        assertTrue(emptied.contains("DELETE /connectors/r/offsets"), emptied);
        assertTrue(ResumePoints.targetShortfall("b1", "r", EVENTS_0, T1_0, 999, 0, -1)
                .contains("now ends at offset 0"), "an empty target is reported without an offset map too");

        assertNull(ResumePoints.targetShortfall("b1", "r", EVENTS_0, T1_0, 999, 500, 499));
        assertNull(ResumePoints.targetShortfall("b1", "r", EVENTS_0, T1_0, 999, 1, -1));
    }

    private static List<PartitionPlan> plans(TopicPartition target0, TopicPartition target1) {
        return List.of(new PartitionPlan(EVENTS_0, target0, List.of()), new PartitionPlan(EVENTS_1, target1,
                List.of()));
    }
}
