package dev.kbackup.restore;

import dev.kbackup.format.BackupRecord;
import dev.kbackup.format.Codec;
import dev.kbackup.format.TimestampKind;
import dev.kbackup.layout.BackupLayout;
import dev.kbackup.layout.Json;
import dev.kbackup.layout.RestoreKeys;
import dev.kbackup.testing.Await;
import dev.kbackup.testing.ConnectClusters;
import dev.kbackup.testing.S3ProxyFixture;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.connect.runtime.rest.entities.ConnectorStateInfo;
import org.apache.kafka.connect.util.clusters.EmbeddedConnectCluster;
import org.junit.jupiter.api.Test;

import java.lang.management.ManagementFactory;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * One task restores 1,000 partitions whose blocks add up to about 400 MiB once decompressed, in a JVM limited to
 * -Xmx1g (its own failsafe run, see the module's pom) that also hosts the broker, the worker and S3Proxy. A task that
 * kept a reader and a decoded block per partition reached 928 MiB of live heap here; within its memory budget the
 * whole JVM stayed at about 340 MiB, and every record arrives in its partition.
 */
class ManyPartitionsRestoreIT {

    private static final int PARTITIONS = 1000;
    private static final int RECORDS_PER_PARTITION = 4;
    private static final int VALUE_BYTES = 96 * 1024;
    private static final Duration TIMEOUT = Duration.ofMinutes(4);
    /** Broker, worker, S3Proxy and the task's budget fit below this (about 340 MiB); a reader per partition not. */
    private static final long LIVE_HEAP_LIMIT = 512L * 1024 * 1024;
    private static final long LIVE_HEAP_SAMPLE_NANOS = 2_000_000_000L;

    private long liveHeapMax;
    private long lastSample;

    @Test
    void thousandPartitionsAreRestoredByOneTaskInAOneGigabyteHeap() throws Exception {
        long maxHeap = Runtime.getRuntime().maxMemory();
        assertTrue(maxHeap <= 1100L * 1024 * 1024, "this test runs with -Xmx1g, found " + maxHeap);
        try (S3ProxyFixture s3 = S3ProxyFixture.start()) {
            EmbeddedConnectCluster connect = ConnectClusters.start("restore-many-partitions-it", 1, Map.of());
            try {
                RestoreHarness harness = new RestoreHarness(connect, s3);
                TestBackups backup = harness.backup("wide");
                for (int p = 0; p < PARTITIONS; p++) {
                    // one block per partition, its records decompressing to 384 KiB
                    backup.partition("wide", p, records(p), Codec.ZSTD, RECORDS_PER_PARTITION, 1024 * 1024);
                }
                backup.publish();

                // created (and waited for) here: producing the moment a topic exists can meet leaderless partitions
                ConnectClusters.createTopic(connect, "wide-restored", PARTITIONS, Map.of("retention.ms", "-1"));
                Map<String, String> config = harness.config("wide");
                config.put("tasks.max", "1");
                config.put(RestoreConfig.TOPIC_MAPPING, "wide:wide-restored");
                config.put("producer.override.compression.type", "lz4");
                connect.configureConnector("restore-wide", config);

                RestoreSummary summary = awaitSummary(connect, harness, "restore-wide");
                assertTrue(liveHeapMax > 0 && liveHeapMax <= LIVE_HEAP_LIMIT, "live heap during the restore "
                        + "reached " + liveHeapMax / (1024 * 1024) + " MiB (limit " + LIVE_HEAP_LIMIT / (1024 * 1024)
                        + " MiB)");
                assertEquals((long) PARTITIONS * RECORDS_PER_PARTITION, summary.records());
                assertEquals(PARTITIONS, summary.partitions().size());

                int[] counts = countByPartition(connect.kafka().bootstrapServers(), "wide-restored");
                for (int p = 0; p < PARTITIONS; p++) {
                    assertEquals(RECORDS_PER_PARTITION, counts[p], "records restored into wide-restored-" + p);
                }
                assertEquals("RUNNING", connect.connectorStatus("restore-wide").tasks().get(0).state());
            } finally {
                connect.stop();
            }
        }
    }

    /** Values that compress well (a random kilobyte repeated), so that storage and the broker stay small. */
    private static List<BackupRecord> records(int partition) {
        List<BackupRecord> records = new ArrayList<>();
        for (int i = 0; i < RECORDS_PER_PARTITION; i++) {
            records.add(new BackupRecord(10L * i, 1_763_900_000_000L + i, TimestampKind.CREATE_TIME,
                    ("p" + partition + "-" + i).getBytes(), value(partition, i), List.of()));
        }
        return records;
    }

    /** Record {@code index}'s value: the partition's random kilobyte repeated, its first byte the index. */
    private static byte[] value(int partition, int index) {
        byte[] pattern = new byte[1024];
        new Random(partition).nextBytes(pattern);
        byte[] value = new byte[VALUE_BYTES];
        for (int at = 0; at < value.length; at += pattern.length) {
            System.arraycopy(pattern, 0, value, at, Math.min(pattern.length, value.length - at));
        }
        value[0] = (byte) index;
        return value;
    }

    private RestoreSummary awaitSummary(EmbeddedConnectCluster connect, RestoreHarness harness, String connector) {
        String key = new RestoreKeys(new BackupLayout("wide"), connector).summaryKey(0);
        RestoreSummary[] summary = new RestoreSummary[1];
        Await.until(TIMEOUT, connector + " to write its summary", () -> {
            for (ConnectorStateInfo.TaskState task : connect.connectorStatus(connector).tasks()) {
                if ("FAILED".equals(task.state())) {
                    throw new AssertionError("Task " + task.id() + " failed: " + task.trace());
                }
            }
            sampleLiveHeap();
            Optional<byte[]> bytes = harness.store().readIfExists(key);
            bytes.ifPresent(b -> summary[0] = Json.read(b, RestoreSummary.class, key));
            return bytes.isPresent();
        }, () -> "status: " + connect.connectorStatus(connector));
        return summary[0];
    }

    /** Every two seconds: the heap in use right after a full collection, the live data of the whole JVM. */
    private void sampleLiveHeap() {
        long now = System.nanoTime();
        if (now - lastSample < LIVE_HEAP_SAMPLE_NANOS) {
            return;
        }
        lastSample = now;
        System.gc();
        liveHeapMax = Math.max(liveHeapMax, ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed());
    }

    /** Records in each partition of {@code topic}, read to the end offsets, checking each value on the way. */
    private static int[] countByPartition(String bootstrap, String topic) {
        Map<String, Object> props = new HashMap<>();
        props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        props.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class);
        props.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class);
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        props.put(ConsumerConfig.FETCH_MAX_BYTES_CONFIG, 16 << 20);
        int[] counts = new int[PARTITIONS];
        Duration timeout = Duration.ofSeconds(60);
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(props)) {
            List<TopicPartition> partitions = new ArrayList<>();
            for (int p = 0; p < PARTITIONS; p++) {
                partitions.add(new TopicPartition(topic, p));
            }
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            Map<TopicPartition, Long> end = consumer.endOffsets(partitions, timeout);
            long deadline = System.nanoTime() + TIMEOUT.toNanos();
            while (partitions.stream().anyMatch(tp -> consumer.position(tp, timeout) < end.get(tp))) {
                assertTrue(System.nanoTime() < deadline, "could not read " + topic + " to its end offsets");
                for (ConsumerRecord<byte[], byte[]> record : consumer.poll(Duration.ofMillis(200))) {
                    counts[record.partition()]++;
                    int index = record.value()[0];
                    assertArrayEquals(("p" + record.partition() + "-" + index).getBytes(), record.key());
                    assertTrue(Arrays.equals(value(record.partition(), index), record.value()), "value of " + record.topic() + "-"
                            + record.partition() + "@" + record.offset());
                }
            }
        }
        return counts;
    }
}
