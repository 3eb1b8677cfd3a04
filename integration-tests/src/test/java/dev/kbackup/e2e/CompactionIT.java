package dev.kbackup.e2e;

import dev.kbackup.format.BackupRecord;
import dev.kbackup.layout.BackupLayout;
import dev.kbackup.restore.RestoreSourceConnector;
import dev.kbackup.sink.BackupSinkConnector;
import dev.kbackup.storage.ObjectStore;
import dev.kbackup.testing.Await;
import dev.kbackup.testing.BackupConnectorConfig;
import dev.kbackup.testing.BackupContents;
import dev.kbackup.testing.ConnectClusters;
import dev.kbackup.testing.KafkaTestData;
import dev.kbackup.testing.RestoreConnectorConfig;
import dev.kbackup.testing.S3ConnectFixture;
import dev.kbackup.testing.S3ProxyFixture;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.connect.util.clusters.EmbeddedConnectCluster;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Compaction, accelerated, on real Kafka, Connect and S3Proxy: a trickle into 4 partitions cut into 300 ms segments
 * for a minute (hundreds of segments), merged 3 s after their newest record; a restore of a window in the middle
 * runs while merges go on and is byte-exact; after the grace, storage holds a small fraction of the segment objects
 * written, and the catalog still holds every record exactly once.
 */
class CompactionIT {

    private static final Duration TIMEOUT = Duration.ofSeconds(90);
    private static final String TOPIC = "trickle";
    private static final String BACKUP = "compacted";
    private static final int PARTITIONS = 4;
    private static final Duration PRODUCE_FOR = Duration.ofSeconds(60);

    private S3ConnectFixture cluster;
    private S3ProxyFixture s3;
    private EmbeddedConnectCluster connect;
    private ObjectStore store;
    private String bootstrap;
    private final ScheduledExecutorService background = Executors.newScheduledThreadPool(2);

    @BeforeEach
    void start() throws Exception {
        cluster = S3ConnectFixture.start("compaction-it", 1, Map.of());
        s3 = cluster.s3();
        connect = cluster.connect();
        store = s3.store();
        bootstrap = connect.kafka().bootstrapServers();
        ConnectClusters.createTopic(connect, TOPIC, PARTITIONS, Map.of());
    }

    @AfterEach
    void stop() {
        background.shutdownNow();
        if (cluster != null) {
            cluster.close();
        }
    }

    @Test
    void aTrickleOfTinySegmentsIsMergedWhileARestoreReadsAnExactWindow() throws Exception {
        BackupLayout layout = new BackupLayout(BACKUP);
        connect.configureConnector(BACKUP, BackupConnectorConfig.of(BackupSinkConnector.class, BACKUP, TOPIC)
                .name(BACKUP)
                .minimumPartSize()
                .storage(s3.connectorConfig())
                .tasks(1)
                .stateDir(Files.createTempDirectory("kbackup-compaction-state"))
                .segmentMaxIntervalMs(300)
                .set("state.sync.interval.ms", "1000")
                .set("compaction.min.age.ms", "3000")
                .set("compaction.target.bytes", Integer.toString(1 << 20))
                .set("cleanup.grace.ms", "15000")
                .build());
        // every segment object ever seen, sampled more often than any can come and go (min age + grace)
        Set<String> written = ConcurrentHashMap.newKeySet();
        Set<String> merged = ConcurrentHashMap.newKeySet();
        background.scheduleWithFixedDelay(() -> segmentKeys(layout).forEach(key ->
                (BackupLayout.isMergedSegmentKey(key) ? merged : written).add(key)), 0, 500, TimeUnit.MILLISECONDS);

        long t0 = System.currentTimeMillis();
        var producing = background.submit(() -> produce(t0 + PRODUCE_FOR.toMillis()));

        // a window in the middle, restored once compaction is under way and while it goes on
        Instant windowStart = Instant.ofEpochMilli(t0 + 10_000);
        Instant windowEnd = Instant.ofEpochMilli(t0 + 25_000);
        Await.until(TIMEOUT, "the window's records to be old enough to merge and merges to have begun",
                () -> System.currentTimeMillis() > windowEnd.toEpochMilli() + 5_000 && !merged.isEmpty());
        int mergedBeforeRestore = merged.size();
        connect.configureConnector("restore-window", RestoreConnectorConfig.of(RestoreSourceConnector.class, BACKUP)
                .name("restore-window")
                .createTopics()
                .storage(s3.connectorConfig())
                .tasks(1)
                .cluster(bootstrap)
                .topicMapping(TOPIC + ":" + TOPIC + "-window")
                .set("restore.time.start", windowStart.toString())
                .set("restore.time.end", windowEnd.toString())
                .build());
        Map<Integer, List<ConsumerRecord<byte[], byte[]>>> inWindow = ConnectClusters.readAll(bootstrap, TOPIC, true,
                TIMEOUT).stream().filter(record -> record.timestamp() >= windowStart.toEpochMilli()
                        && record.timestamp() < windowEnd.toEpochMilli())
                .collect(Collectors.groupingBy(ConsumerRecord::partition));
        int expectedInWindow = inWindow.values().stream().mapToInt(List::size).sum();
        assertTrue(expectedInWindow > 150, "the window holds " + expectedInWindow + " records");
        Await.until(TIMEOUT, "the window's restore", () -> ConnectClusters.readAll(bootstrap, TOPIC + "-window", true,
                TIMEOUT).size() >= expectedInWindow);
        Map<Integer, List<ConsumerRecord<byte[], byte[]>>> restored = ConnectClusters.readAll(bootstrap,
                TOPIC + "-window", true, TIMEOUT).stream().collect(Collectors.groupingBy(ConsumerRecord::partition));
        for (int partition = 0; partition < PARTITIONS; partition++) {
            List<BackupRecord> expected = inWindow.getOrDefault(partition, List.of()).stream()
                    .map(KafkaTestData::fromConsumer).toList();
            KafkaTestData.assertRestored(expected, restored.getOrDefault(partition, List.of()), TOPIC, partition,
                    true);
        }
        connect.deleteConnector("restore-window");

        producing.get(TIMEOUT.toSeconds(), TimeUnit.SECONDS);
        assertTrue(merged.size() > mergedBeforeRestore, "compaction went on while the restore ran");
        List<ConsumerRecord<byte[], byte[]>> all = ConnectClusters.readAll(bootstrap, TOPIC, true, TIMEOUT);
        Await.until(TIMEOUT, "the catalog to hold every record",
                () -> BackupContents.read(store, layout).recordCount() == all.size());
        int segmentsWritten = written.size() + merged.size();
        assertTrue(written.size() >= 400, "hundreds of tiny segments were written: " + written.size());
        Await.until(TIMEOUT, "compaction and the grace to leave a small fraction of the segment objects",
                () -> segmentKeys(layout).size() * 10 <= segmentsWritten);
        Await.until(TIMEOUT, "every replaced segment to be deleted after the grace",
                () -> BackupContents.read(store, layout).unlistedSegments().isEmpty());
        connect.deleteConnector(BACKUP);
        System.out.printf("CompactionIT: %d segments and %d merged segments written, %d segment objects left%n",
                written.size(), merged.size(), segmentKeys(layout).size());

        BackupContents backup = BackupContents.read(store, layout);
        backup.assertCatalogComplete();
        assertEquals(Map.of(), backup.duplicateOffsets());
        Map<Integer, List<ConsumerRecord<byte[], byte[]>>> byPartition = all.stream()
                .collect(Collectors.groupingBy(ConsumerRecord::partition));
        for (int partition = 0; partition < PARTITIONS; partition++) {
            KafkaTestData.assertSameRecords(TOPIC + "-" + partition, byPartition.get(partition),
                    backup.records(TOPIC, partition));
        }
    }

    private List<String> segmentKeys(BackupLayout layout) {
        List<String> keys = new java.util.ArrayList<>();
        store.list(layout.topicsPrefix() + TOPIC + "/", null).forEachRemaining(object -> {
            if (BackupLayout.parseSegmentKey(object.key()).isPresent()) {
                keys.add(object.key());
            }
        });
        return keys;
    }

    /** About 40 records a second, round-robin over the partitions, stamped with the time they are sent. */
    private Void produce(long until) throws Exception {
        try (KafkaProducer<byte[], byte[]> producer = KafkaTestData.producer(bootstrap, new HashMap<>())) {
            for (int i = 0; System.currentTimeMillis() < until; i++) {
                producer.send(new ProducerRecord<>(TOPIC, i % PARTITIONS, System.currentTimeMillis(),
                        ("k" + i).getBytes(StandardCharsets.UTF_8),
                        ("trickle-" + i + "-" + "x".repeat(i % 97)).getBytes(StandardCharsets.UTF_8))).get();
                Thread.sleep(25);
            }
        }
        return null;
    }
}
