package dev.kbackup.sink;

import dev.kbackup.layout.SegmentCompaction;
import dev.kbackup.testing.BackupConnectorConfig;
import org.apache.kafka.common.config.Config;
import org.apache.kafka.common.config.ConfigValue;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** compaction.* settings: defaults, turning it off, and a target that cannot hold a block. */
class CompactionConfigTest {

    @TempDir
    Path dir;

    @Test
    void compactionIsOnByDefaultWithAnHourAndTheSegmentSizeAsTarget() {
        BackupSinkConfig config = new BackupSinkConfig(config().segmentMaxBytes(8 << 20).build());
        SegmentCompaction.Settings settings = config.compaction().orElseThrow();
        assertEquals(Duration.ofHours(1), settings.minAge());
        assertEquals(8 << 20, settings.targetBytes());
        assertEquals(config.cleanupGrace(), settings.grace());
        assertEquals(config.blockBytes(), settings.blockBytes());
        assertEquals(config.codec(), settings.codec());
    }

    @Test
    void compactionEnabledFalseTurnsItOff() {
        BackupSinkConfig config = new BackupSinkConfig(config().set("compaction.enabled", "false").build());
        assertTrue(config.compaction().isEmpty());
    }

    @Test
    void aTargetSmallerThanABlockIsRefusedNamingBothSettings() {
        List<String> errors = errors(config().blockBytes(64 * 1024).set("compaction.target.bytes", "4096").build());
        assertEquals(1, errors.size(), errors.toString());
        assertTrue(errors.get(0).startsWith("compaction.target.bytes (4096) is smaller than segment.block.bytes "
                + "(65536)"), errors.get(0));
        assertEquals(List.of(), errors(config().blockBytes(64 * 1024).set("compaction.target.bytes", "65536")
                .build()));
    }

    private BackupConnectorConfig config() {
        return BackupConnectorConfig.of(BackupSinkConnector.class, "compacting", "orders")
                .set("storage.type", "filesystem")
                .set("filesystem.path", dir.toString());
    }

    private static List<String> errors(Map<String, String> config) {
        Config result = new BackupSinkConnector().validate(config);
        return result.configValues().stream().filter(value -> value.name().equals("compaction.target.bytes"))
                .map(ConfigValue::errorMessages).findFirst().orElseThrow();
    }
}
