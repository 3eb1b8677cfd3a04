package dev.kbackup.e2e;

import dev.kbackup.layout.BackupLayout;
import dev.kbackup.restore.RestoreSourceConnector;
import dev.kbackup.sink.BackupSinkConnector;
import dev.kbackup.storage.ObjectStore;
import dev.kbackup.storage.ObjectStores;
import dev.kbackup.storage.StorageSettings;
import dev.kbackup.testing.Await;
import dev.kbackup.testing.BackupConnectorConfig;
import dev.kbackup.testing.BackupContents;
import dev.kbackup.testing.ConnectClusters;
import dev.kbackup.testing.KafkaTestData;
import dev.kbackup.testing.RestoreConnectorConfig;
import dev.kbackup.testing.S3ConnectFixture;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.connect.runtime.rest.entities.ConfigInfo;
import org.apache.kafka.connect.runtime.rest.entities.ConfigInfos;
import org.apache.kafka.connect.runtime.rest.errors.ConnectRestException;
import org.apache.kafka.connect.util.clusters.EmbeddedConnectCluster;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The restore's guard rails on a real worker: a backup taken by the sink records its cluster's id, so a restore of
 * it into its own source topic on that cluster is refused (by validation, so Connect does not even create it) until
 * restore.allow.source.overwrite=true; a target that is an internal topic of Kafka or of this very worker is
 * refused too.
 */
class RestoreGuardRailsIT {

    private static final Duration TIMEOUT = Duration.ofSeconds(120);
    private static final String PREFIX = "guard";
    private static final String TOPIC = "ledger";
    private static final int PARTITIONS = 2;
    private static final String BACKUP_ID = "guarded";

    private static S3ConnectFixture fixture;
    private static EmbeddedConnectCluster connect;
    private static String bootstrap;
    private static BackupContents backup;
    private static ObjectStore store;

    @BeforeAll
    static void backUpTheLedger() throws Exception {
        fixture = S3ConnectFixture.start("guard-rails-it", 1, Map.of());
        connect = fixture.connect();
        bootstrap = connect.kafka().bootstrapServers();
        ConnectClusters.createTopic(connect, TOPIC, PARTITIONS, Map.of());
        KafkaTestData.produceMixed(bootstrap, TOPIC, PARTITIONS, 400, 31);

        Path stateDir = Files.createTempDirectory("kbackup-guard-state");
        connect.configureConnector(BACKUP_ID, BackupConnectorConfig.of(BackupSinkConnector.class, BACKUP_ID, TOPIC)
                .name(BACKUP_ID)
                .minimumPartSize()
                .storage(fixture.s3().connectorConfig())
                .prefix(PREFIX)
                .stateDir(stateDir)
                .cluster(bootstrap)
                .build());
        Map<String, String> storage = new HashMap<>(fixture.s3().connectorConfig());
        storage.put("storage.prefix", PREFIX);
        store = ObjectStores.open(StorageSettings.parse(storage));
        BackupLayout layout = new BackupLayout(BACKUP_ID);
        Await.until(TIMEOUT, "the backup to hold 400 records",
                () -> BackupContents.read(store, layout).recordCount() >= 400);
        // stopping the backup publishes its manifest, with the cluster id
        connect.deleteConnector(BACKUP_ID);
        Await.until(TIMEOUT, "the manifest", () -> store.stat(layout.manifestKey()).isPresent());
        backup = BackupContents.read(store, layout);
    }

    @AfterAll
    static void stop() {
        if (store != null) {
            store.close();
        }
        if (fixture != null) {
            fixture.close();
        }
    }

    @Test
    void aRestoreIntoItsOwnSourceTopicOnTheSameClusterIsRefusedUntilTheUserAllowsIt() throws Exception {
        String clusterId;
        try (Admin admin = connect.kafka().createAdminClient()) {
            clusterId = admin.describeCluster().clusterId().get();
        }
        Map<String, String> config = restoreConfig().build();

        List<String> errors = errors(validate(config)).getOrDefault("topic.mapping", List.of());
        assertEquals(1, errors.size(), "validation refuses it: " + errors);
        assertTrue(errors.get(0).contains("Target topic 'ledger' is the topic backup 'guarded' was taken from, on "
                + "the same cluster (id " + clusterId + ")"), errors.get(0));
        assertTrue(errors.get(0).contains("topic.mapping=ledger:ledger-restored"), errors.get(0));
        assertTrue(errors.get(0).contains("restore.allow.source.overwrite=true"), errors.get(0));

        // Connect validates a posted config too, so the connector is not even created
        ConnectRestException refused = assertThrows(ConnectRestException.class,
                () -> connect.configureConnector("restore-refused", config));
        assertEquals(400, refused.statusCode());
        assertTrue(refused.getMessage().contains("Target topic 'ledger' is the topic backup 'guarded' was taken "
                + "from"), refused.getMessage());
        assertEquals(400, ConnectClusters.readAll(bootstrap, TOPIC, true, TIMEOUT).size(), "nothing was written");

        config.put("restore.allow.source.overwrite", "true");
        assertEquals(Map.of(), errors(validate(config)), "allowed");
        connect.configureConnector("restore-allowed", config);
        Await.until(TIMEOUT, "the ledger to hold its records twice",
                () -> ConnectClusters.readAll(bootstrap, TOPIC, true, TIMEOUT).size() >= 800);
        List<ConsumerRecord<byte[], byte[]>> all = ConnectClusters.readAll(bootstrap, TOPIC, true, TIMEOUT);
        for (int partition = 0; partition < PARTITIONS; partition++) {
            int p = partition;
            List<ConsumerRecord<byte[], byte[]>> records = all.stream().filter(r -> r.partition() == p).toList();
            int originals = backup.records(TOPIC, partition).size();
            KafkaTestData.assertRestored(backup.records(TOPIC, partition),
                    records.subList(originals, records.size()), TOPIC, partition, true);
        }
        connect.deleteConnector("restore-allowed");
    }

    @Test
    void aRestoreIntoAnInternalTopicOfKafkaOrOfThisWorkerIsRefusedUntilTheUserAllowsIt() {
        for (String internal : List.of("__consumer_offsets", "connect-offset-topic-guard-rails-it",
                "connect-config-topic-guard-rails-it")) {
            Map<String, String> config = restoreConfig().topicMapping(TOPIC + ":" + internal).build();
            List<String> errors = errors(validate(config)).getOrDefault("topic.mapping", List.of());
            assertEquals(1, errors.size(), internal + ": " + errors);
            assertTrue(errors.get(0).contains("Target topic '" + internal + "' (restored from topic 'ledger' of "
                    + "backup 'guarded') is"), errors.get(0));
            assertTrue(errors.get(0).contains("restore.allow.internal.topics=true"), errors.get(0));

            config.put("restore.allow.internal.topics", "true");
            assertEquals(Map.of(), errors(validate(config)), internal + " allowed");
        }

        Map<String, String> config = restoreConfig().topicMapping(TOPIC + ":connect-status-topic-guard-rails-it")
                .build();
        ConnectRestException refused = assertThrows(ConnectRestException.class,
                () -> connect.configureConnector("restore-internal", config));
        assertTrue(refused.getMessage().contains("Target topic 'connect-status-topic-guard-rails-it'"),
                refused.getMessage());
        assertTrue(refused.getMessage().contains("Kafka Connect's config, offset or status topics"),
                refused.getMessage());
    }

    private static RestoreConnectorConfig restoreConfig() {
        return RestoreConnectorConfig.of(RestoreSourceConnector.class, BACKUP_ID)
                .storage(fixture.s3().connectorConfig())
                .prefix(PREFIX)
                .cluster(bootstrap);
    }

    private static ConfigInfos validate(Map<String, String> config) {
        Map<String, String> named = new TreeMap<>(config);
        named.put("name", "guard-validation");
        return connect.validateConnectorConfig(RestoreSourceConnector.class.getSimpleName(), named);
    }

    private static Map<String, List<String>> errors(ConfigInfos result) {
        Map<String, List<String>> errors = new TreeMap<>();
        for (ConfigInfo info : result.configs()) {
            if (info.configValue() != null && !info.configValue().errors().isEmpty()) {
                errors.put(info.configValue().name(), info.configValue().errors());
            }
        }
        return errors;
    }
}
