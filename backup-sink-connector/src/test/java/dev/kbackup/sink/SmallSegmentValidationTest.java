package dev.kbackup.sink;

import dev.kbackup.testing.BackupConnectorConfig;
import org.apache.kafka.common.config.Config;
import org.apache.kafka.common.config.ConfigValue;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Segments smaller than an upload part, down to one block, pass validation; smaller than a block do not. */
class SmallSegmentValidationTest {

    @TempDir
    Path dir;

    @Test
    void aSegmentSmallerThanAnUploadPartIsAccepted() {
        Map<String, String> config = config().segmentMaxBytes(64 * 1024).blockBytes(16 * 1024)
                .set("s3.part.size.bytes", Integer.toString(8 * 1024 * 1024)).build();
        assertEquals(List.of(), errors(config, "segment.max.bytes"));
    }

    @Test
    void aSegmentOfOneSmallestBlockIsTheFloor() {
        assertEquals(List.of(), errors(config().segmentMaxBytes(4096).blockBytes(4096).build(), "segment.max.bytes"));
        List<String> belowFloor = errors(config().segmentMaxBytes(4095).blockBytes(4096).build(),
                "segment.max.bytes");
        assertEquals(1, belowFloor.size(), belowFloor.toString());
        assertTrue(belowFloor.get(0).contains("4096"), belowFloor.toString());
    }

    @Test
    void aSegmentSmallerThanItsBlockIsRefusedNamingBothSettings() {
        List<String> errors = errors(config().segmentMaxBytes(32 * 1024).blockBytes(64 * 1024).build(),
                "segment.max.bytes");
        assertEquals(List.of("segment.max.bytes (32768) is smaller than segment.block.bytes (65536): a segment "
                + "holds at least one block; raise segment.max.bytes or lower segment.block.bytes"), errors);
    }

    private BackupConnectorConfig config() {
        return BackupConnectorConfig.of(BackupSinkConnector.class, "small", "orders")
                .set("storage.type", "filesystem")
                .set("filesystem.path", dir.toString());
    }

    private static List<String> errors(Map<String, String> config, String key) {
        Config result = new BackupSinkConnector().validate(config);
        return result.configValues().stream().filter(value -> value.name().equals(key))
                .map(ConfigValue::errorMessages).findFirst().orElseThrow();
    }
}
