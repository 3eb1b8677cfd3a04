package dev.kbackup.sink;

import dev.kbackup.format.BackupRecord;
import dev.kbackup.testing.BackupContents;
import dev.kbackup.testing.ConnectClusters;
import org.apache.kafka.clients.consumer.ConsumerRecord;

import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** Connector configs and exactly-once checks shared by the sink's integration tests. */
final class BackupConfigs {

    private BackupConfigs() {
    }

    /** A backup of {@code topics} into the storage described by {@code storage}, with fast intervals for tests. */
    static Map<String, String> backup(Map<String, String> storage, String backupId, String topics,
                                      String bootstrapServers, Path stateDir) {
        Map<String, String> config = new HashMap<>(storage);
        config.put("name", backupId);
        config.put("connector.class", BackupSinkConnector.class.getName());
        config.put("tasks.max", "1");
        config.put("topics", topics);
        config.put("key.converter", "org.apache.kafka.connect.converters.ByteArrayConverter");
        config.put("value.converter", "org.apache.kafka.connect.converters.ByteArrayConverter");
        config.put("header.converter", "org.apache.kafka.connect.converters.ByteArrayConverter");
        config.put("consumer.override.isolation.level", "read_committed");
        config.put("backup.id", backupId);
        config.put("storage.prefix", "it");
        config.put("segment.max.bytes", Long.toString(8 * 1024 * 1024));
        config.put("segment.max.interval.ms", "1000");
        config.put("s3.part.size.bytes", Integer.toString(5 * 1024 * 1024));
        config.put("state.sync.interval.ms", "1000");
        config.put("checkpoint.interval.ms", "500");
        config.put("state.dir", stateDir.toString());
        config.put("cluster.bootstrap.servers", bootstrapServers);
        return config;
    }

    /**
     * Asserts that the backup holds each offset a read_committed consumer sees in {@code topic}, exactly once.
     */
    static void assertExactlyOnce(BackupContents backup, String bootstrapServers, String topic) {
        List<ConsumerRecord<byte[], byte[]>> expected = ConnectClusters.readAll(bootstrapServers, topic, true,
                Duration.ofSeconds(60));
        Map<Integer, List<Long>> wanted = new TreeMap<>(expected.stream().collect(Collectors.groupingBy(
                ConsumerRecord::partition, Collectors.mapping(ConsumerRecord::offset, Collectors.toList()))));
        assertEquals(Map.of(), backup.duplicateOffsets(), "offsets stored twice");
        wanted.forEach((partition, offsets) -> {
            List<Long> stored = backup.records(topic, partition).stream().map(BackupRecord::offset).sorted()
                    .collect(Collectors.toList());
            assertEquals(offsets.size(), stored.size(), topic + "-" + partition + ": record count");
            assertEquals(offsets, stored, topic + "-" + partition + ": offsets");
        });
    }

    /** Whether the backup already holds as many records as a consumer sees. */
    static boolean holdsAll(BackupContents backup, String bootstrapServers, String topic) {
        return backup.recordCount() >= ConnectClusters.readAll(bootstrapServers, topic, true,
                Duration.ofSeconds(60)).size();
    }
}
