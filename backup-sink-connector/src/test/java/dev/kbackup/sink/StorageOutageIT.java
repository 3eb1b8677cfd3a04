package dev.kbackup.sink;

import dev.kbackup.layout.BackupLayout;
import dev.kbackup.storage.ObjectStore;
import dev.kbackup.storage.ObjectStores;
import dev.kbackup.testing.Await;
import dev.kbackup.testing.BackupContents;
import dev.kbackup.testing.ConnectClusters;
import dev.kbackup.testing.ContinuousProducer;
import dev.kbackup.testing.FaultInjectingProxy;
import dev.kbackup.testing.KafkaTestData;
import dev.kbackup.testing.S3ProxyFixture;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.connect.util.clusters.EmbeddedConnectCluster;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.atomic.AtomicBoolean;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Storage answers 503 for a while, then recovers: the task backs off, nothing acknowledged is lost. */
class StorageOutageIT {

    private static final Duration TIMEOUT = Duration.ofSeconds(120);
    private static S3ProxyFixture s3;
    private static FaultInjectingProxy faults;
    private static EmbeddedConnectCluster connect;

    @BeforeAll
    static void start() throws Exception {
        s3 = S3ProxyFixture.start();
        faults = FaultInjectingProxy.start(s3.endpoint());
        connect = ConnectClusters.start("storage-outage-it", 1, Map.of());
    }

    @AfterAll
    static void stop() throws Exception {
        if (connect != null) {
            connect.stop();
        }
        if (faults != null) {
            faults.close();
        }
        if (s3 != null) {
            s3.close();
        }
    }

    @org.junit.jupiter.api.AfterEach
    void healStorage() {
        faults.heal();
    }

    @Test
    void failingStorageIsRetriedAndNothingIsLostOrStoredTwice() throws Exception {
        // Not a @TempDir: tasks that are still stopping may hold files in it when the test ends.
        Path state = java.nio.file.Files.createTempDirectory("kbackup-state");
        String bootstrap = connect.kafka().bootstrapServers();
        ConnectClusters.createTopic(connect, "outage", 3, Map.of());
        Map<String, String> config = BackupConfigs.builder(s3.connectorConfig(faults.endpoint()), "outage", "outage",
                bootstrap, state)
                .s3Retry(2, 50)
                .storageFailureThreshold(5)
                .storageRecovery(2000, 500)
                .build();
        BackupLayout layout = new BackupLayout("outage");
        ObjectStore store = ObjectStores.open(s3.storageSettings(Map.of("storage.prefix", "it")));

        AtomicBoolean breakerOpened = new AtomicBoolean();
        try (ContinuousProducer producer = ContinuousProducer.start(bootstrap, "outage", 3, 1500)) {
            connect.configureConnector("outage", config);
            Await.until(TIMEOUT, "a first backup", () -> BackupContents.read(store, layout).recordCount() > 1000);

            faults.failAll(503);
            long outageStart = System.currentTimeMillis();
            while (System.currentTimeMillis() - outageStart < 12_000) {
                breakerOpened.compareAndSet(false, breakerState("outage") == 1.0);
                Thread.sleep(200);
            }
            assertEquals("RUNNING", connect.connectorStatus("outage").tasks().get(0).state(),
                    "the task keeps running while storage is down");
            faults.heal();
            Thread.sleep(5000);
        }
        Await.until(TIMEOUT, "the backup to catch up after the outage",
                () -> KafkaTestData.holdsAll(BackupContents.read(store, layout), bootstrap, "outage"));
        KafkaTestData.assertExactlyOnce(BackupContents.read(store, layout), bootstrap, "outage");
        assertTrue(breakerOpened.get(), "the circuit breaker opened during the outage");
        assertTrue(faults.requestsFailed() > 0);
        assertTrue(BackupConfigs.metric("outage", "rewinds-total") >= 1.0,
                "records were read again after failed uploads");
        connect.deleteConnector("outage");
        store.close();
    }

    @Test
    void slowStorageHoldsTheTaskBackWithoutClosingSegmentsEarly() throws Exception {
        // Not a @TempDir: tasks that are still stopping may hold files in it when the test ends.
        Path state = java.nio.file.Files.createTempDirectory("kbackup-state");
        String bootstrap = connect.kafka().bootstrapServers();
        ConnectClusters.createTopic(connect, "slow", 1, Map.of());
        int records = 5000;
        int valueBytes = 8 * 1024;
        try (KafkaProducer<byte[], byte[]> producer = KafkaTestData.producer(bootstrap, Map.of())) {
            Random random = new Random(11);
            for (int i = 0; i < records; i++) {
                byte[] value = new byte[valueBytes];
                random.nextBytes(value);
                producer.send(new ProducerRecord<>("slow", 0, null, value));
            }
        }
        long segmentMaxBytes = 16L * 1024 * 1024;
        long budget = 24L * 1024 * 1024;
        Map<String, String> config = BackupConfigs.builder(s3.connectorConfig(faults.endpoint()), "slow", "slow",
                bootstrap, state)
                .codec("none")
                .bufferMemoryBytes(budget)
                .blockBytes(64 * 1024)
                .segmentMaxBytes(segmentMaxBytes)
                .segmentMaxIntervalMs(600000)
                .minimumPartSize()
                .build();
        BackupLayout layout = new BackupLayout("slow");
        ObjectStore store = ObjectStores.open(s3.storageSettings(Map.of("storage.prefix", "it")));

        // Every request to storage takes 250 ms: the pipeline falls behind and the budget fills up.
        faults.delayMillis(250);
        connect.configureConnector("slow", config);
        Await.until(TIMEOUT, "two segments stored",
                () -> BackupContents.read(store, layout).segmentKeys("slow", 0).size() >= 2);
        BackupContents firstTwo = BackupContents.read(store, layout);
        long fullSegmentRecords = segmentMaxBytes / (valueBytes + 64);
        assertTrue(firstTwo.recordCount() >= 2 * fullSegmentRecords, "waiting for storage must not cut segments "
                + "short: " + firstTwo.segmentKeys("slow", 0) + " hold " + firstTwo.recordCount() + " records");
        faults.delayMillis(0);
        connect.restartConnectorAndTasks("slow", false, true, false);
        Await.until(TIMEOUT, "the backup to hold every record",
                () -> KafkaTestData.holdsAll(BackupContents.read(store, layout), bootstrap, "slow"));

        BackupContents backup = BackupContents.read(store, layout);
        KafkaTestData.assertExactlyOnce(backup, bootstrap, "slow");
        // 41 MB of records in 16 MiB segments: two full ones and the rest, closed by the restart.
        long expectedSegments = (records * (long) valueBytes + segmentMaxBytes - 1) / segmentMaxBytes;
        assertEquals(expectedSegments, backup.segmentKeys("slow", 0).size(),
                "waiting for storage must not cut segments short: " + backup.segmentKeys("slow", 0));
        double highWater = BackupConfigs.metric("slow", "buffered-bytes-max");
        assertTrue(highWater <= budget + 2 * 64 * 1024, "held at most the budget plus a block, held " + highWater);
        connect.deleteConnector("slow");
        store.close();
    }

    @Test
    void taskRestartedWhileStorageIsDownWaitsAndThenBacksUpEverything() throws Exception {
        // Not a @TempDir: tasks that are still stopping may hold files in it when the test ends.
        Path state = java.nio.file.Files.createTempDirectory("kbackup-state");
        String bootstrap = connect.kafka().bootstrapServers();
        ConnectClusters.createTopic(connect, "late", 2, Map.of());
        KafkaTestData.produceMixed(bootstrap, "late", 2, 800, 5);
        Map<String, String> config = BackupConfigs.builder(s3.connectorConfig(faults.endpoint()), "late", "late",
                bootstrap, state)
                .s3RetryMaxAttempts(1)
                .storageRecovery(1000, 300)
                .build();
        BackupLayout layout = new BackupLayout("late");
        ObjectStore store = ObjectStores.open(s3.storageSettings(Map.of("storage.prefix", "it")));

        connect.configureConnector("late", config);
        Await.until(TIMEOUT, "a first backup", () -> BackupContents.read(store, layout).recordCount() > 0);
        // Storage goes down; the task starts again and is assigned partitions it cannot resume yet.
        faults.failAll(503);
        connect.restartConnectorAndTasks("late", false, true, false);
        KafkaTestData.produceMixed(bootstrap, "late", 2, 800, 6);
        Thread.sleep(6000);
        assertEquals("RUNNING", connect.connectorStatus("late").tasks().get(0).state(),
                "a task that cannot read its resume point waits instead of failing");
        faults.heal();

        Await.until(TIMEOUT, "the backup to catch up once storage answers",
                () -> KafkaTestData.holdsAll(BackupContents.read(store, layout), bootstrap, "late"));
        KafkaTestData.assertExactlyOnce(BackupContents.read(store, layout), bootstrap, "late");
        connect.deleteConnector("late");
        store.close();
    }

    private static double breakerState(String connector) {
        return BackupConfigs.metric(connector, "storage-circuit-state");
    }
}
