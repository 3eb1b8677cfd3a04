package dev.kbackup.sink;

import dev.kbackup.layout.BackupLayout;
import dev.kbackup.storage.ObjectStore;
import dev.kbackup.storage.ObjectStores;
import dev.kbackup.testing.Await;
import dev.kbackup.testing.BackupContents;
import dev.kbackup.testing.ConnectClusters;
import dev.kbackup.testing.ContinuousProducer;
import dev.kbackup.testing.KafkaTestData;
import dev.kbackup.testing.S3ConnectFixture;
import dev.kbackup.testing.S3ProxyFixture;
import org.apache.kafka.connect.util.clusters.EmbeddedConnectCluster;
import org.apache.kafka.connect.util.clusters.WorkerHandle;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Restarts, task moves and rebalances while records flow: afterwards every offset Kafka holds is in the backup
 * exactly once.
 */
class BackupSinkResilienceIT {

    private static final Duration TIMEOUT = Duration.ofSeconds(120);
    private static S3ConnectFixture cluster;
    private static S3ProxyFixture s3;
    private static EmbeddedConnectCluster connect;
    private static ObjectStore store;

    @BeforeAll
    static void start() throws Exception {
        cluster = S3ConnectFixture.start("backup-resilience-it", 2, Map.of());
        s3 = cluster.s3();
        connect = cluster.connect();
        store = ObjectStores.open(s3.storageSettings(Map.of("storage.prefix", "it")));
    }

    @AfterAll
    static void stop() throws Exception {
        if (store != null) {
            store.close();
        }
        if (cluster != null) {
            cluster.close();
        }
    }

    @Test
    void restartsOfTasksConnectorAndWorkersLoseNothingAndStoreNothingTwice() throws Exception {
        // Not a @TempDir: tasks that are still stopping may hold files in it when the test ends.
        Path state = java.nio.file.Files.createTempDirectory("kbackup-state");
        String bootstrap = connect.kafka().bootstrapServers();
        ConnectClusters.createTopic(connect, "restarts", 4, Map.of());
        Map<String, String> config = BackupConfigs.backup(s3.connectorConfig(), "restarts", "restarts", bootstrap,
                state);
        config.put("tasks.max", "2");
        BackupLayout layout = new BackupLayout("restarts");

        try (ContinuousProducer producer = ContinuousProducer.start(bootstrap, "restarts", 4, 2000)) {
            connect.configureConnector("restarts", config);
            awaitProgress(layout, 2000);
            connect.restartTask("restarts", 0);
            awaitProgress(layout, 6000);
            connect.restartConnectorAndTasks("restarts", false, false, false);
            awaitProgress(layout, 10_000);
            // A new worker joins and an old one leaves: partitions and tasks move between workers.
            WorkerHandle first = connect.workers().iterator().next();
            connect.addWorker();
            awaitProgress(layout, 14_000);
            connect.removeWorker(first);
            awaitProgress(layout, 18_000);
        }
        Await.until(TIMEOUT, "the backup to catch up",
                () -> KafkaTestData.holdsAll(BackupContents.read(store, layout), bootstrap, "restarts"));
        KafkaTestData.assertExactlyOnce(BackupContents.read(store, layout), bootstrap, "restarts");
        connect.deleteConnector("restarts");
    }

    @Test
    void rebalanceWhileDataFlowsKeepsEveryOffsetOnce() throws Exception {
        // Not a @TempDir: tasks that are still stopping may hold files in it when the test ends.
        Path state = java.nio.file.Files.createTempDirectory("kbackup-state");
        String bootstrap = connect.kafka().bootstrapServers();
        ConnectClusters.createTopic(connect, "rebalanced", 6, Map.of());
        Map<String, String> config = BackupConfigs.backup(s3.connectorConfig(), "rebalanced", "rebalanced",
                bootstrap, state);
        config.put("tasks.max", "3");
        BackupLayout layout = new BackupLayout("rebalanced");

        try (ContinuousProducer producer = ContinuousProducer.start(bootstrap, "rebalanced", 6, 2000)) {
            connect.configureConnector("rebalanced", config);
            awaitProgress(layout, 3000);
            // Fewer tasks, then more: partitions are reassigned between tasks while records keep coming.
            config.put("tasks.max", "1");
            connect.configureConnector("rebalanced", config);
            awaitProgress(layout, 8000);
            config.put("tasks.max", "4");
            connect.configureConnector("rebalanced", config);
            awaitProgress(layout, 13_000);
        }
        Await.until(TIMEOUT, "the backup to catch up",
                () -> KafkaTestData.holdsAll(BackupContents.read(store, layout), bootstrap, "rebalanced"));
        BackupContents backup = BackupContents.read(store, layout);
        KafkaTestData.assertExactlyOnce(backup, bootstrap, "rebalanced");
        assertTrue(backup.segmentKeys("rebalanced", 0).size() > 1, "several segments were written");
        connect.deleteConnector("rebalanced");
    }

    private static void awaitProgress(BackupLayout layout, long records) {
        Await.until(TIMEOUT, "the backup to reach " + records + " records",
                () -> BackupContents.read(store, layout).recordCount() >= records,
                () -> "holds " + BackupContents.read(store, layout).recordCount());
    }
}
