package dev.kbackup.sink;

import dev.kbackup.layout.BackupLayout;
import dev.kbackup.storage.ObjectStore;
import dev.kbackup.storage.ObjectStores;
import dev.kbackup.testing.Await;
import dev.kbackup.testing.BackupContents;
import dev.kbackup.testing.ConnectClusters;
import dev.kbackup.testing.KafkaTestData;
import dev.kbackup.testing.S3ProxyFixture;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.connect.util.clusters.EmbeddedConnectCluster;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * One task with 1,000 partitions and a small buffer budget, in a JVM limited to -Xmx1g (its own failsafe run, see
 * the module's pom) that also hosts the broker, the worker and S3Proxy: the backup completes exactly once and the
 * task never holds more than its budget plus a block.
 */
class ManyPartitionsIT {

    private static final int PARTITIONS = 1000;
    private static final int RECORDS_PER_PARTITION = 60;
    private static final long BUDGET = 24L * 1024 * 1024;
    private static final int BLOCK = 256 * 1024;

    @Test
    void thousandPartitionsBackUpWithinTheBudget() throws Exception {
        // Not a @TempDir: tasks that are still stopping may hold files in it when the test ends.
        Path state = java.nio.file.Files.createTempDirectory("kbackup-state");
        Path blobs = java.nio.file.Files.createTempDirectory("kbackup-blobs");
        long maxHeap = Runtime.getRuntime().maxMemory();
        assertTrue(maxHeap <= 1100L * 1024 * 1024, "this test runs with -Xmx1g, found " + maxHeap);
        try (S3ProxyFixture s3 = S3ProxyFixture.start(blobs)) {
            EmbeddedConnectCluster connect = ConnectClusters.start("many-partitions-it", 1, Map.of());
            try {
                String bootstrap = connect.kafka().bootstrapServers();
                ConnectClusters.createTopic(connect, "wide", PARTITIONS, Map.of());
                produce(bootstrap);

                Map<String, String> config = BackupConfigs.backup(s3.connectorConfig(), "wide", "wide", bootstrap,
                        state);
                config.put("buffer.memory.bytes", Long.toString(BUDGET));
                config.put("segment.block.bytes", Integer.toString(BLOCK));
                config.put("segment.max.interval.ms", "30000");
                config.put("consumer.override.max.partition.fetch.bytes", Integer.toString(64 * 1024));
                connect.configureConnector("wide", config);

                ObjectStore store = ObjectStores.open(s3.storageSettings(Map.of("storage.prefix", "it")));
                BackupLayout layout = new BackupLayout("wide");
                long expected = (long) PARTITIONS * RECORDS_PER_PARTITION;
                Await.until(Duration.ofMinutes(4), "all " + expected + " records backed up",
                        () -> BackupContents.read(store, layout).recordCount() >= expected,
                        () -> "holds " + BackupContents.read(store, layout).recordCount() + " " + shortOnes(
                                BackupContents.read(store, layout)));
                BackupContents backup = BackupContents.read(store, layout);
                assertEquals(expected, backup.recordCount());
                KafkaTestData.assertExactlyOnce(backup, bootstrap, "wide");
                double highWater = BackupConfigs.metric("wide", "buffered-bytes-max");
                assertTrue(highWater > 0 && highWater <= BUDGET + 2L * BLOCK,
                        "held at most the budget plus a block, held " + highWater);
                assertEquals("RUNNING", connect.connectorStatus("wide").tasks().get(0).state());
                store.close();
            } finally {
                connect.stop();
            }
        }
    }

    private static String shortOnes(BackupContents backup) {
        StringBuilder out = new StringBuilder();
        for (int partition = 0; partition < PARTITIONS; partition++) {
            int size = backup.records("wide", partition).size();
            if (size != RECORDS_PER_PARTITION) {
                out.append(" wide-").append(partition).append(": ").append(size).append(" records, offsets ")
                        .append(backup.records("wide", partition).stream().map(r -> r.offset())
                                .collect(java.util.stream.Collectors.toList()))
                        .append(" in ").append(backup.segmentKeys("wide", partition));
            }
        }
        return out.toString();
    }

    private static void produce(String bootstrap) {
        Random random = new Random(1);
        try (KafkaProducer<byte[], byte[]> producer = KafkaTestData.producer(bootstrap,
                Map.of(ProducerConfig.BATCH_SIZE_CONFIG, 64 * 1024, ProducerConfig.LINGER_MS_CONFIG, 20))) {
            for (int i = 0; i < RECORDS_PER_PARTITION; i++) {
                for (int partition = 0; partition < PARTITIONS; partition++) {
                    byte[] value = new byte[1024];
                    random.nextBytes(value);
                    producer.send(new ProducerRecord<>("wide", partition, ("k" + i).getBytes(), value));
                }
            }
            producer.flush();
        }
    }
}
