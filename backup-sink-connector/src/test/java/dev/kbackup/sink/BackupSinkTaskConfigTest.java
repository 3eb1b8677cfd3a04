package dev.kbackup.sink;

import org.apache.kafka.common.config.ConfigException;
import org.junit.jupiter.api.Test;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** What a task reads from its config besides the connector's settings. */
class BackupSinkTaskConfigTest {

    @Test
    void eachTaskGetsItsNumberAndTheConnectorsTopics() {
        Map<String, String> connector = connectorConfig();
        connector.put("topics", " orders, __consumer_offsets ,,refunds");
        BackupSinkConnector backup = new BackupSinkConnector();
        backup.start(connector);
        List<BackupSinkTaskConfig> tasks = backup.taskConfigs(3).stream().map(BackupSinkTaskConfig::new).toList();

        assertEquals(List.of(0, 1, 2), tasks.stream().map(BackupSinkTaskConfig::taskNumber).toList());
        assertEquals(Set.of("orders", "__consumer_offsets", "refunds"), tasks.get(2).topics());
        assertEquals("b1", tasks.get(1).backupId());
    }

    @Test
    void outsideConnectATaskIsNumberZeroWithNoExplicitTopics() {
        BackupSinkTaskConfig config = new BackupSinkTaskConfig(connectorConfig());
        assertEquals(0, config.taskNumber());
        assertEquals(Set.of(), config.topics());
        assertEquals("kbackup-sink", config.connectorName());
    }

    @Test
    void snapshotsNeedTheClusterAndDefaultToEveryMinuteLeavingOutConnectsGroups() {
        assertEquals(0, new BackupSinkTaskConfig(connectorConfig()).snapshotInterval().toMillis(),
                "no cluster.bootstrap.servers, no snapshots");
        Map<String, String> props = connectorConfig();
        props.put("cluster.bootstrap.servers", "kafka:9092");
        props.put("topics.regex", "orders-.*");
        BackupSinkTaskConfig config = new BackupSinkTaskConfig(props);

        assertEquals(60_000, config.snapshotInterval().toMillis());
        assertEquals("connect-.*", config.snapshotGroupsExclude().pattern());
        assertEquals(".*", config.snapshotGroupsInclude().pattern());
        assertEquals("orders-.*", config.topicsRegex().pattern());
        assertFalse(config.snapshotAcls());
    }

    @Test
    void aGroupsRegexThatDoesNotCompileIsRejected() {
        Map<String, String> props = connectorConfig();
        props.put("snapshot.groups.exclude", "connect-(");

        ConfigException error = assertThrows(ConfigException.class, () -> new BackupSinkTaskConfig(props));
        assertTrue(error.getMessage().contains("snapshot.groups.exclude"),
                error.getMessage());
    }

    private static Map<String, String> connectorConfig() {
        Map<String, String> props = new HashMap<>();
        props.put("backup.id", "b1");
        props.put("storage.type", "filesystem");
        props.put("filesystem.path", "/tmp/kbackup-config-test");
        return props;
    }
}
