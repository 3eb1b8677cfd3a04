package dev.kbackup.testing;

import dev.kbackup.format.BackupHeader;
import dev.kbackup.format.BackupRecord;
import dev.kbackup.format.TimestampKind;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.internals.RecordHeader;
import org.apache.kafka.common.record.TimestampType;
import org.apache.kafka.common.serialization.ByteArraySerializer;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

/** Produces the varied data sets the integration tests back up, and compares what Kafka holds with a backup. */
public final class KafkaTestData {

    private KafkaTestData() {
    }

    public static KafkaProducer<byte[], byte[]> producer(String bootstrapServers, Map<String, Object> extra) {
        Map<String, Object> props = new HashMap<>();
        props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        props.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class);
        props.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class);
        props.put(ProducerConfig.ACKS_CONFIG, "all");
        props.put(ProducerConfig.LINGER_MS_CONFIG, 5);
        props.putAll(extra);
        return new KafkaProducer<>(props);
    }

    /**
     * Sends {@code count} records spread over {@code partitions} partitions: null and empty keys and values,
     * tombstones, headers with null values and duplicate keys, and timestamps that go backwards.
     */
    public static void produceMixed(String bootstrapServers, String topic, int partitions, int count, long seed) {
        RandomRecords random = new RandomRecords(seed, 2048, 0);
        List<BackupRecord> records = random.records(0, count);
        try (KafkaProducer<byte[], byte[]> producer = producer(bootstrapServers, Map.of())) {
            List<Future<?>> sent = new ArrayList<>();
            for (int i = 0; i < records.size(); i++) {
                BackupRecord record = records.get(i);
                sent.add(producer.send(new ProducerRecord<>(topic, i % partitions, record.timestamp(), record.key(),
                        record.value(), kafkaHeaders(record.headers()))));
            }
            producer.flush();
            awaitAll(sent);
        }
    }

    /** Sends {@code committed} records in committed transactions and {@code aborted} in an aborted one. */
    public static void produceTransactional(String bootstrapServers, String topic, int partitions, int committed,
                                            int aborted) {
        Map<String, Object> props = Map.of(ProducerConfig.TRANSACTIONAL_ID_CONFIG, "kbackup-test-" + topic,
                ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        try (KafkaProducer<byte[], byte[]> producer = producer(bootstrapServers, props)) {
            producer.initTransactions();
            producer.beginTransaction();
            for (int i = 0; i < committed / 2; i++) {
                producer.send(new ProducerRecord<>(topic, i % partitions, ("c1-" + i).getBytes(), ("v" + i).getBytes()));
            }
            producer.commitTransaction();
            producer.beginTransaction();
            for (int i = 0; i < aborted; i++) {
                producer.send(new ProducerRecord<>(topic, i % partitions, ("aborted-" + i).getBytes(),
                        "must not be backed up".getBytes()));
            }
            producer.flush();
            producer.abortTransaction();
            producer.beginTransaction();
            for (int i = committed / 2; i < committed; i++) {
                producer.send(new ProducerRecord<>(topic, i % partitions, ("c2-" + i).getBytes(), ("v" + i).getBytes()));
            }
            producer.commitTransaction();
        }
    }

    /**
     * Sends {@code count} updates to random keys among {@code keys}, some of them tombstones, so that compaction
     * leaves scattered gaps in the offsets.
     */
    public static void produceCompactable(String bootstrapServers, String topic, int keys, int count, long seed) {
        java.util.Random random = new java.util.Random(seed);
        try (KafkaProducer<byte[], byte[]> producer = producer(bootstrapServers, Map.of())) {
            List<Future<?>> sent = new ArrayList<>();
            for (int i = 0; i < count; i++) {
                int key = random.nextInt(keys);
                byte[] value = random.nextInt(10) == 0 ? null
                        : ("{\"key\":" + key + ",\"update\":" + i + "}").getBytes();
                sent.add(producer.send(new ProducerRecord<>(topic, 0, ("key-" + key).getBytes(), value)));
            }
            producer.flush();
            awaitAll(sent);
        }
    }

    /** The record as Kafka handed it to a consumer, in the backup's terms. */
    public static BackupRecord fromConsumer(ConsumerRecord<byte[], byte[]> record) {
        List<BackupHeader> headers = new ArrayList<>();
        for (Header header : record.headers()) {
            headers.add(new BackupHeader(header.key(), header.value()));
        }
        TimestampKind kind = record.timestampType() == TimestampType.LOG_APPEND_TIME
                ? TimestampKind.LOG_APPEND_TIME : TimestampKind.CREATE_TIME;
        return new BackupRecord(record.offset(), record.timestamp(), kind, record.key(), record.value(), headers);
    }

    /** Asserts that a backup holds exactly the records a consumer read, in order, byte for byte. */
    public static void assertSameRecords(String where, List<ConsumerRecord<byte[], byte[]>> expected,
                                         List<BackupRecord> actual) {
        assertEquals(expected.size(), actual.size(), where + ": record count");
        for (int i = 0; i < expected.size(); i++) {
            BackupRecord want = fromConsumer(expected.get(i));
            BackupRecord got = actual.get(i);
            String at = where + " record " + i + " (offset " + want.offset() + ")";
            assertEquals(want.offset(), got.offset(), at + ": offset");
            assertEquals(want.timestamp(), got.timestamp(), at + ": timestamp");
            assertEquals(want.timestampKind(), got.timestampKind(), at + ": timestamp type");
            assertArrayEquals(want.key(), got.key(), at + ": key");
            assertArrayEquals(want.value(), got.value(), at + ": value");
            assertEquals(want.headers(), got.headers(), at + ": headers");
        }
    }

    /**
     * Asserts that {@code restored} holds exactly {@code expected}, in order: key, value, headers (the original ones,
     * then the x-original-* headers if {@code originalHeaders}) and timestamp, byte for byte.
     */
    public static void assertRestored(List<BackupRecord> expected, List<ConsumerRecord<byte[], byte[]>> restored,
                                      String sourceTopic, int sourcePartition, boolean originalHeaders) {
        assertEquals(expected.size(), restored.size(), "record count of " + sourceTopic + "-" + sourcePartition);
        for (int i = 0; i < expected.size(); i++) {
            BackupRecord want = expected.get(i);
            ConsumerRecord<byte[], byte[]> got = restored.get(i);
            String where = sourceTopic + "-" + sourcePartition + " offset " + want.offset();
            assertArrayEquals(want.key(), got.key(), "key of " + where);
            assertArrayEquals(want.value(), got.value(), "value of " + where);
            assertEquals(want.timestamp(), got.timestamp(), "timestamp of " + where);
            List<BackupHeader> headers = new ArrayList<>();
            for (Header header : got.headers()) {
                headers.add(new BackupHeader(header.key(), header.value()));
            }
            List<BackupHeader> wanted = new ArrayList<>(want.headers());
            if (originalHeaders) {
                wanted.add(BackupHeader.utf8("x-original-topic", sourceTopic));
                wanted.add(BackupHeader.utf8("x-original-partition", Integer.toString(sourcePartition)));
                wanted.add(BackupHeader.utf8("x-original-offset", Long.toString(want.offset())));
                wanted.add(BackupHeader.utf8("x-original-timestamp", Long.toString(want.timestamp())));
            }
            assertEquals(wanted, headers, "headers of " + where);
        }
    }

    /** The x-original-offset header of a restored record. */
    public static long originalOffset(ConsumerRecord<byte[], byte[]> record) {
        Header header = record.headers().lastHeader("x-original-offset");
        return Long.parseLong(new String(header.value(), StandardCharsets.UTF_8));
    }

    /**
     * Asserts that the backup holds each offset a read_committed consumer sees in {@code topic}, exactly once, as a
     * restore reads it: through the catalog, which must list every stored segment, each unchanged since indexed.
     */
    public static void assertExactlyOnce(BackupContents backup, String bootstrapServers, String topic) {
        List<ConsumerRecord<byte[], byte[]>> expected = ConnectClusters.readAll(bootstrapServers, topic, true,
                Duration.ofSeconds(60));
        Map<Integer, List<Long>> wanted = new TreeMap<>(expected.stream().collect(Collectors.groupingBy(
                ConsumerRecord::partition, Collectors.mapping(ConsumerRecord::offset, Collectors.toList()))));
        assertEquals(Map.of(), backup.duplicateOffsets(), () -> "offsets stored twice, in segments:"
                + backup.duplicateOffsets().keySet().stream().map(p -> p + backup.describeSegments(p))
                        .collect(Collectors.joining("\n")));
        backup.assertCatalogComplete();
        wanted.forEach((partition, offsets) -> {
            List<Long> stored = backup.records(topic, partition).stream().map(BackupRecord::offset).sorted()
                    .collect(Collectors.toList());
            assertEquals(offsets.size(), stored.size(), topic + "-" + partition + ": record count");
            assertEquals(offsets, stored, topic + "-" + partition + ": offsets");
        });
    }

    /** Whether the backup already holds as many records as a read_committed consumer sees in {@code topic}. */
    public static boolean holdsAll(BackupContents backup, String bootstrapServers, String topic) {
        return backup.recordCount() >= ConnectClusters.readAll(bootstrapServers, topic, true,
                Duration.ofSeconds(60)).size();
    }

    private static Iterable<Header> kafkaHeaders(List<BackupHeader> headers) {
        List<Header> result = new ArrayList<>();
        for (BackupHeader header : headers) {
            result.add(new RecordHeader(header.key(), header.value() == null ? null
                    : Arrays.copyOf(header.value(), header.value().length)));
        }
        return result;
    }

    private static void awaitAll(List<Future<?>> sent) {
        for (Future<?> future : sent) {
            try {
                future.get();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError("Interrupted while producing", e);
            } catch (ExecutionException e) {
                throw new AssertionError("Producing failed", e.getCause());
            }
        }
    }
}
