package dev.kbackup.restore;

import dev.kbackup.format.TimeWindow;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.connect.json.JsonConverter;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

class RestoreOffsetsTest {

    private static final TopicPartition TARGET = new TopicPartition("orders-restored", 4);
    private static final Map<String, Object> PARTITION = RestoreOffsets.sourcePartition("b1",
            new TopicPartition("orders", 1));

    @Test
    void aSourcePartitionKeepsItsBytesThroughConnectsJsonRoundTripSoThatAnOffsetResetMatchesIt() {
        // Connect's offset REST API deserializes stored keys and serializes them again to write its tombstones
        try (JsonConverter converter = new JsonConverter()) {
            converter.configure(Map.of("schemas.enable", "false", "converter.type", "key"));
            byte[] written = converter.fromConnectData("offsets", null, List.of("restore-x", PARTITION));
            Object readBack = converter.toConnectData("offsets", written).value();

            byte[] rewritten = converter.fromConnectData("offsets", null, readBack);

            assertEquals(new String(written, StandardCharsets.UTF_8), new String(rewritten, StandardCharsets.UTF_8));
        }
    }

    @Test
    void aSourceOffsetRecordsTheTargetAndTheWindowItIsRelativeTo() {
        RestoreOffsets.Scope scope = new RestoreOffsets.Scope(TARGET, new TimeWindow(1_000, 2_000));

        Map<String, Object> offset = RestoreOffsets.sourceOffset(77, scope);

        assertEquals(Map.of("offset", 77L, "target.topic", "orders-restored", "target.partition", 4,
                "window.start", 1_000L, "window.end", 2_000L), offset);
        assertEquals(new RestoreOffsets.Stored(77, scope), RestoreOffsets.stored(offset));
        assertNull(RestoreOffsets.problem(PARTITION, offset));
    }

    @Test
    void openWindowBoundsAreLeftOutAndReadBackAsOpen() {
        RestoreOffsets.Scope scope = new RestoreOffsets.Scope(TARGET, TimeWindow.ALL);

        Map<String, Object> offset = RestoreOffsets.sourceOffset(5, scope);

        assertEquals(Map.of("offset", 5L, "target.topic", "orders-restored", "target.partition", 4), offset);
        // Connect's JSON offset store hands numbers back as Long or Integer
        Map<String, Object> fromJson = new HashMap<>(offset);
        fromJson.put("offset", 5);
        fromJson.put("target.partition", 4L);
        assertEquals(new RestoreOffsets.Stored(5, scope), RestoreOffsets.stored(fromJson));
    }

    @Test
    void anOffsetSetByHandWithoutItsScopeResumesWhateverTheTarget() {
        RestoreOffsets.Stored stored = RestoreOffsets.stored(Map.of("offset", 9L));

        assertEquals(new RestoreOffsets.Stored(9, null), stored);
        assertTrue(stored.isFor(new RestoreOffsets.Scope(TARGET, TimeWindow.ALL)));
        assertNull(RestoreOffsets.problem(PARTITION, Map.of("offset", 9L)));
        assertNull(RestoreOffsets.problem(PARTITION, null), "a null offset resets the partition");
        assertNull(RestoreOffsets.stored(null));
    }

    @Test
    void refusesOffsetsWhoseScopeKeysHaveTheWrongTypesOrComeAlone() {
        String halfTarget = RestoreOffsets.problem(PARTITION, Map.of("offset", 9L, "target.topic", "t"));
        assertNotNull(halfTarget);
        assertTrue(halfTarget.contains("target.partition"), halfTarget);
        assertNotNull(RestoreOffsets.problem(PARTITION, Map.of("offset", 9L, "window.end", "tomorrow")));
        assertNotNull(RestoreOffsets.problem(PARTITION, Map.of("offset", "nine")));
    }
}
