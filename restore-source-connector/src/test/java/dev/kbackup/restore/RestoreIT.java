package dev.kbackup.restore;

import dev.kbackup.format.BackupRecord;
import dev.kbackup.format.BlockIndexEntry;
import dev.kbackup.format.Codec;
import dev.kbackup.format.SegmentInfo;
import dev.kbackup.groups.StoredTranslationLog;
import dev.kbackup.layout.StoredSegment;
import dev.kbackup.format.TimeWindow;
import dev.kbackup.storage.WriteMode;
import dev.kbackup.testing.Await;
import dev.kbackup.testing.ConnectClusters;
import dev.kbackup.testing.KafkaTestData;
import dev.kbackup.testing.RandomRecords;
import dev.kbackup.testing.S3ConnectFixture;
import dev.kbackup.testing.S3ProxyFixture;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.connect.runtime.rest.entities.ConfigInfo;
import org.apache.kafka.connect.runtime.rest.entities.ConfigInfos;
import org.apache.kafka.connect.runtime.rest.entities.CreateConnectorRequest;
import org.apache.kafka.connect.util.clusters.EmbeddedConnectCluster;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Collectors;

import static dev.kbackup.testing.KafkaTestData.assertRestored;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The restore connector on a real Connect worker and broker, reading backups from a real S3 API. */
class RestoreIT {

    private static final Duration TIMEOUT = Duration.ofSeconds(90);

    private static S3ConnectFixture cluster;
    private static S3ProxyFixture s3;
    private static EmbeddedConnectCluster connect;
    private static RestoreHarness harness;

    @BeforeAll
    static void start() throws Exception {
        cluster = S3ConnectFixture.start("restore-it", 1, Map.of());
        s3 = cluster.s3();
        connect = cluster.connect();
        harness = new RestoreHarness(connect, s3);
    }

    @AfterAll
    static void stop() {
        if (cluster != null) {
            cluster.close();
        }
    }

    @Test
    void restoresEveryTopicByteForByteIntoRenamedTopicsWhateverTheCodec() {
        TestBackups backup = harness.backup("codecs");
        Map<TopicPartition, List<BackupRecord>> originals = new TreeMap<>(
                Comparator.comparing(TopicPartition::toString));
        Map<String, Codec> topics = Map.of("zstd-topic", Codec.ZSTD, "lz4-topic", Codec.LZ4, "none-topic", Codec.NONE);
        int seed = 0;
        for (Map.Entry<String, Codec> topic : topics.entrySet()) {
            int partitions = topic.getValue() == Codec.ZSTD ? 3 : topic.getValue() == Codec.LZ4 ? 2 : 1;
            for (int p = 0; p < partitions; p++) {
                List<BackupRecord> records = new RandomRecords(++seed, 2048, 0).records(seed * 10L, 1200);
                backup.partition(topic.getKey(), p, records, topic.getValue(), 500, 32 * 1024);
                originals.put(new TopicPartition(topic.getKey(), p), records);
            }
        }
        backup.publish();
        Map<String, String> config = harness.config("codecs");
        config.put(RestoreConfig.TOPIC_MAPPING, "zstd-topic:zstd-restored,lz4-topic:lz4-restored,"
                + "none-topic:none-restored");
        config.put(RestoreConfig.CREATE_TOPICS, "true");
        config.put("tasks.max", "3");
        connect.configureConnector("restore-codecs", config);

        List<RestoreSummary> summaries = harness.awaitCompletion("restore-codecs", "codecs", TIMEOUT);

        for (Map.Entry<TopicPartition, List<BackupRecord>> original : originals.entrySet()) {
            String target = original.getKey().topic().replace("-topic", "-restored");
            List<ConsumerRecord<byte[], byte[]>> restored = harness.partition(harness.readAll(target, false),
                    original.getKey().partition());
            assertRestored(original.getValue(), restored, original.getKey().topic(), original.getKey().partition(),
                    true);
        }
        assertEquals(3, connect.kafka().describeTopics(Set.of("zstd-restored")).values().iterator().next()
                .orElseThrow().partitions().size(), "created with the backed-up partition count");
        assertEquals(3, summaries.size());
        long total = originals.values().stream().mapToLong(List::size).sum();
        assertEquals(total, summaries.stream().mapToLong(RestoreSummary::records).sum());
        assertEquals(6, summaries.stream().mapToLong(s -> s.partitions().size()).sum());
        RestoreSummary.PartitionSummary first = summaries.stream().flatMap(s -> s.partitions().stream())
                .filter(p -> p.topic().equals("lz4-topic") && p.partition() == 1).findFirst().orElseThrow();
        List<BackupRecord> lz4 = originals.get(new TopicPartition("lz4-topic", 1));
        assertEquals(lz4.get(0).offset(), first.firstOffset());
        assertEquals(lz4.get(lz4.size() - 1).offset(), first.lastOffset());
        assertEquals(lz4.size(), first.records());

        StoredTranslationLog map = harness.offsetMap("codecs", "restore-codecs", new TopicPartition("lz4-topic", 1));
        List<ConsumerRecord<byte[], byte[]>> restored = harness.partition(harness.readAll("lz4-restored", false), 1);
        OffsetTranslationLog translation = OffsetTranslationLog.resume("codecs", new TopicPartition("lz4-topic", 1),
                new TopicPartition("lz4-restored", 1), map, -1);
        for (int i = 0; i < lz4.size(); i++) {
            assertEquals(restored.get(i).offset(), translation.translate(lz4.get(i).offset()));
        }
        assertTrue(map.syncs().size() < lz4.size() / 4, "sync points only where the delta changes: "
                + map.syncs().size());
        assertEquals(total, RestoreHarness.metric("restore-codecs", "records-restored-total"));
        connect.deleteConnector("restore-codecs");
    }

    @Test
    void restoresExactlyTheRecordsInsideTheTimeWindowWithoutOriginalHeadersWhenDisabled() {
        TestBackups backup = harness.backup("window");
        List<List<BackupRecord>> partitions = new ArrayList<>();
        for (int p = 0; p < 2; p++) {
            List<BackupRecord> records = new RandomRecords(100 + p, 1024, 0).records(0, 4000);
            backup.partition("events", p, records, Codec.ZSTD, 1000, 8 * 1024);
            partitions.add(records);
        }
        backup.publish();
        long min = partitions.stream().flatMap(List::stream).mapToLong(BackupRecord::timestamp).min().orElseThrow();
        long max = partitions.stream().flatMap(List::stream).mapToLong(BackupRecord::timestamp).max().orElseThrow();
        long start = min + (max - min) / 3 + 7;
        long end = min + 2 * (max - min) / 3 + 3;
        ConnectClusters.createTopic(connect, "events-window", 2, Map.of("retention.ms", "-1"));
        Map<String, String> config = harness.config("window");
        config.put(RestoreConfig.TOPIC_MAPPING, "events:events-window");
        config.put(RestoreConfig.TIME_START, Instant.ofEpochMilli(start).toString());
        config.put(RestoreConfig.TIME_END, Long.toString(end));
        config.put(RestoreConfig.ORIGINAL_HEADERS, "false");
        connect.configureConnector("restore-window", config);

        List<RestoreSummary> summaries = harness.awaitCompletion("restore-window", "window", TIMEOUT);

        List<ConsumerRecord<byte[], byte[]>> restored = harness.readAll("events-window", false);
        TimeWindow window = new TimeWindow(start, end);
        for (int p = 0; p < 2; p++) {
            List<BackupRecord> expected = partitions.get(p).stream().filter(r -> window.contains(r.timestamp()))
                    .toList();
            assertTrue(expected.size() > 500, "the window must select a good share: " + expected.size());
            assertRestored(expected, harness.partition(restored, p), "events", p, false);
        }
        assertTrue(summaries.stream().mapToLong(RestoreSummary::recordsSkippedByWindow).sum() > 0);
        connect.deleteConnector("restore-window");
    }

    @Test
    void mapsTopicsAndPartitionsOntoTheirTargets() {
        TestBackups backup = harness.backup("mapping");
        List<BackupRecord> a0 = new RandomRecords(200).records(0, 300);
        List<BackupRecord> a1 = new RandomRecords(201).records(0, 300);
        List<BackupRecord> b0 = new RandomRecords(202).records(0, 300);
        backup.partition("a", 0, a0, Codec.ZSTD, 100, 4096);
        backup.partition("a", 1, a1, Codec.ZSTD, 100, 4096);
        backup.partition("b", 0, b0, Codec.LZ4, 100, 4096);
        backup.publish();
        Map<String, String> config = harness.config("mapping");
        config.put(RestoreConfig.TOPIC_MAPPING, "a:merged");
        config.put(RestoreConfig.PARTITION_MAPPING, "a/0:1,a/1:0,b/0:merged/2");
        config.put(RestoreConfig.CREATE_TOPICS, "true");
        connect.configureConnector("restore-mapping", config);

        harness.awaitCompletion("restore-mapping", "mapping", TIMEOUT);

        List<ConsumerRecord<byte[], byte[]>> merged = harness.readAll("merged", false);
        assertRestored(a0, harness.partition(merged, 1), "a", 0, true);
        assertRestored(a1, harness.partition(merged, 0), "a", 1, true);
        assertRestored(b0, harness.partition(merged, 2), "b", 0, true);
        connect.deleteConnector("restore-mapping");
    }

    @Test
    void aTargetTopicThatIsMissingTooNarrowOrTooShortLivedStopsTheTaskSayingWhatToDo() {
        TestBackups backup = harness.backup("targets");
        backup.partition("wide", 0, new RandomRecords(300).records(0, 50), Codec.ZSTD, 100, 4096);
        backup.partition("wide", 1, new RandomRecords(301).records(0, 50), Codec.ZSTD, 100, 4096);
        backup.publish();
        Map<String, String> config = harness.config("targets");
        config.put("tasks.max", "1");
        config.put(RestoreConfig.TOPIC_MAPPING, "wide:wide-missing");
        connect.configureConnector("restore-missing", config);

        String missing = harness.awaitTaskFailure("restore-missing", TIMEOUT);
        assertTrue(missing.contains("Target topic 'wide-missing' does not exist"), missing);
        assertTrue(missing.contains("restore.create.topics=true"), missing);
        assertTrue(missing.contains("at least 2 partitions"), missing);
        connect.deleteConnector("restore-missing");

        ConnectClusters.createTopic(connect, "wide-narrow", 1, Map.of());
        config.put(RestoreConfig.TOPIC_MAPPING, "wide:wide-narrow");
        connect.configureConnector("restore-narrow", config);

        String narrow = harness.awaitTaskFailure("restore-narrow", TIMEOUT);
        assertTrue(narrow.contains("Target topic 'wide-narrow' has 1 partitions"), narrow);
        assertTrue(narrow.contains("needs at least 2"), narrow);
        assertTrue(narrow.contains("partition.mapping"), narrow);
        connect.deleteConnector("restore-narrow");

        // the backed-up records are a year old: a 7-day retention would delete them as soon as they are written
        ConnectClusters.createTopic(connect, "wide-short", 2, Map.of("retention.ms", "604800000"));
        config.put(RestoreConfig.TOPIC_MAPPING, "wide:wide-short");
        connect.configureConnector("restore-short", config);

        String shortRetention = harness.awaitTaskFailure("restore-short", TIMEOUT);
        assertTrue(shortRetention.contains("Target topic 'wide-short' deletes records older than "
                + "retention.ms=604800000"), shortRetention);
        assertTrue(shortRetention.contains("--add-config retention.ms=-1"), shortRetention);
        connect.deleteConnector("restore-short");
    }

    @Test
    void aCorruptSegmentFailsTheTaskNamingItAndTheSkipPolicyRestoresEverythingElse() {
        TestBackups backup = harness.backup("corrupt");
        List<BackupRecord> records = new RandomRecords(400).records(0, 1500);
        List<SegmentInfo> segments = backup.partition("ledger", 0, records, Codec.ZSTD, 500, 4096);
        backup.publish();
        SegmentInfo broken = segments.get(1);
        byte[] bytes = harness.store().readIfExists(broken.key()).orElseThrow();
        BlockIndexEntry block = new StoredSegment(harness.store(), broken.key(), bytes.length).footer().blocks().get(1);
        bytes[(int) (block.position() + block.length() / 2)] ^= 0x01;
        harness.store().put(broken.key(), bytes, WriteMode.OVERWRITE);

        Map<String, String> config = harness.config("corrupt");
        config.put(RestoreConfig.TOPIC_MAPPING, "ledger:ledger-fail");
        config.put(RestoreConfig.CREATE_TOPICS, "true");
        connect.configureConnector("restore-corrupt-fail", config);
        String trace = harness.awaitTaskFailure("restore-corrupt-fail", TIMEOUT);
        assertTrue(trace.contains(broken.key()), trace);
        assertTrue(trace.contains("block 1"), trace);
        assertTrue(trace.contains("offsets " + broken.firstOffset() + ".." + broken.lastOffset()), trace);
        connect.deleteConnector("restore-corrupt-fail");
        int beforeCorruptBlock = 500 + new StoredSegment(harness.store(), broken.key(), bytes.length).footer().blocks()
                .get(0).recordCount();
        assertRestored(records.subList(0, beforeCorruptBlock), harness.readAll("ledger-fail", false), "ledger", 0,
                true);

        config.put(RestoreConfig.TOPIC_MAPPING, "ledger:ledger-skip");
        config.put(RestoreConfig.CORRUPT_SEGMENT_POLICY, "skip");
        connect.configureConnector("restore-corrupt-skip", config);
        List<RestoreSummary> summaries = harness.awaitCompletion("restore-corrupt-skip", "corrupt", TIMEOUT);

        List<BackupRecord> expected = new ArrayList<>(records.subList(0, beforeCorruptBlock));
        expected.addAll(records.subList(1000, 1500));
        assertRestored(expected, harness.readAll("ledger-skip", false), "ledger", 0, true);
        List<RestoreSummary.SkippedSegment> skipped = summaries.get(0).skippedSegments();
        assertEquals(1, skipped.size());
        assertEquals(broken.key(), skipped.get(0).key());
        assertEquals(1, RestoreHarness.metric("restore-corrupt-skip", "corrupt-segments-skipped-total"));
        connect.deleteConnector("restore-corrupt-skip");
    }

    @Test
    void aTargetThatBecameInternalAfterValidationStopsTheTaskBeforeItProducesAnything() {
        TestBackups backup = harness.backup("grown");
        backup.partition("orders", 0, new RandomRecords(460).records(0, 50), Codec.ZSTD, 50, 4096);
        backup.publish();
        Map<String, String> config = harness.config("grown");
        config.put("tasks.max", "1");
        config.put(RestoreConfig.TOPIC_MAPPING, "orders:orders-grown");
        config.put(RestoreConfig.CREATE_TOPICS, "true");
        // validated while the backup holds only orders, created stopped
        connect.configureConnector(new CreateConnectorRequest("restore-grown", config,
                CreateConnectorRequest.InitialState.STOPPED));
        // meanwhile the backup took in a topic named like a Connect worker's status topic
        backup.partition("connect-status", 0, new RandomRecords(461).records(0, 50), Codec.ZSTD, 50, 4096);
        backup.publish();

        connect.resumeConnector("restore-grown");

        String trace = harness.awaitTaskFailure("restore-grown", TIMEOUT);
        assertTrue(trace.contains("Target topic 'connect-status' (restored from topic 'connect-status' of backup "
                + "'grown') is by its name one of Kafka Connect's config, offset or status topics"), trace);
        assertTrue(trace.contains("restore.allow.internal.topics=true"), trace);
        assertTrue(connect.kafka().describeTopics(Set.of("orders-grown", "connect-status")).values().stream()
                .allMatch(Optional::isEmpty), "refused before creating or writing any target");
        connect.deleteConnector("restore-grown");
    }

    @Test
    void aSegmentMissingFromStorageFailsTheTaskNamingIt() {
        TestBackups backup = harness.backup("missing");
        List<SegmentInfo> segments = backup.partition("audit", 0, new RandomRecords(450).records(0, 600), Codec.LZ4,
                200, 4096);
        backup.publish();
        harness.store().delete(segments.get(2).key());
        Map<String, String> config = harness.config("missing");
        config.put(RestoreConfig.TOPIC_MAPPING, "audit:audit-missing");
        config.put(RestoreConfig.CREATE_TOPICS, "true");
        connect.configureConnector("restore-missing-segment", config);

        String trace = harness.awaitTaskFailure("restore-missing-segment", TIMEOUT);

        assertTrue(trace.contains(segments.get(2).key()), trace);
        assertTrue(trace.contains("does not exist"), trace);
        assertTrue(trace.contains("offsets " + segments.get(2).firstOffset() + ".." + segments.get(2).lastOffset()),
                trace);
        assertEquals(400, harness.readAll("audit-missing", false).size(), "the segments before it are restored");
        connect.deleteConnector("restore-missing-segment");
    }

    @Test
    void aRestartedTaskResumesWhereItStoppedWithoutGaps() throws Exception {
        TestBackups backup = harness.backup("restart");
        List<BackupRecord> records = new RandomRecords(500, 1024, 0).records(0, 6000);
        backup.partition("stream", 0, records, Codec.ZSTD, 1000, 16 * 1024);
        backup.publish();
        Map<String, String> config = harness.config("restart");
        config.put(RestoreConfig.TOPIC_MAPPING, "stream:stream-restarted");
        config.put(RestoreConfig.CREATE_TOPICS, "true");
        config.put(RestoreConfig.MAX_BYTES_PER_SECOND, "400000");
        connect.configureConnector("restore-restart", config);
        Await.until(TIMEOUT, "part of the restore to be done", () ->
                harness.endOffset("stream-restarted", 0) > 1500);

        connect.restartTask("restore-restart", 0);
        harness.awaitCompletion("restore-restart", "restart", TIMEOUT);

        List<ConsumerRecord<byte[], byte[]>> restored = harness.readAll("stream-restarted", false);
        Set<Long> seen = new HashSet<>();
        long previous = -1;
        int rewinds = 0;
        for (ConsumerRecord<byte[], byte[]> record : restored) {
            long original = KafkaTestData.originalOffset(record);
            seen.add(original);
            if (original <= previous) {
                rewinds++;
            }
            previous = original;
        }
        assertEquals(records.stream().map(BackupRecord::offset).collect(Collectors.toSet()), seen,
                "every original offset restored");
        assertTrue(rewinds <= 1, "at most one resume point");
        assertTrue(restored.size() < records.size() * 1.5, "resumed, not restarted from the beginning: "
                + restored.size() + " records for " + records.size());
        connect.deleteConnector("restore-restart");
    }

    @Test
    void holdsTheConfiguredRateWithinTenPercentOverTwentySeconds() throws Exception {
        // Measured by the broker: the target topic stamps each batch with LogAppendTime when it is appended,
        // so the rate is what really reached Kafka, independent of the task's own accounting.
        int rate = 400_000;
        TestBackups backup = harness.backup("rate");
        List<BackupRecord> records = new RandomRecords(600, 4096, 0).records(0, 9000);
        backup.partition("firehose", 0, records, Codec.LZ4, 3000, 64 * 1024);
        backup.publish();
        ConnectClusters.createTopic(connect, "firehose-rate", 1, Map.of("message.timestamp.type", "LogAppendTime"));
        Map<String, String> config = harness.config("rate");
        config.put(RestoreConfig.TOPIC_MAPPING, "firehose:firehose-rate");
        config.put(RestoreConfig.ORIGINAL_HEADERS, "false");
        config.put(RestoreConfig.MAX_BYTES_PER_SECOND, Integer.toString(rate));
        connect.configureConnector("restore-rate", config);

        Await.until(TIMEOUT, "the restore to start", () ->
                harness.endOffset("firehose-rate", 0) > 0);
        Thread.sleep(23_000);
        connect.deleteConnector("restore-rate");

        List<ConsumerRecord<byte[], byte[]>> restored = harness.readAll("firehose-rate", false);
        long from = restored.get(0).timestamp() + 1_000;
        long to = from + 20_000;
        long bytes = 0;
        for (ConsumerRecord<byte[], byte[]> record : restored) {
            if (record.timestamp() >= from && record.timestamp() < to) {
                bytes += size(record);
            }
        }
        double measured = bytes / 20.0;
        System.out.printf("Restore rate measured by LogAppendTime over 20 s: %.0f bytes/s (limit %d)%n", measured,
                rate);
        assertTrue(Math.abs(measured - rate) <= rate * 0.10, "restored " + measured + " bytes/s, limit " + rate);
    }

    @Test
    void validationAcceptsACompleteConfig() {
        TestBackups backup = harness.backup("valid");
        backup.partition("t", 0, new RandomRecords(700).records(0, 10), Codec.ZSTD, 10, 4096);
        backup.publish();

        ConfigInfos result = validate(harness.config("valid"));

        assertEquals(0, result.errorCount(), errors(result).toString());
    }

    @Test
    void validationReportsEachProblemOnTheFieldToChange() {
        TestBackups backup = harness.backup("checks");
        backup.partition("orders", 0, new RandomRecords(701).records(0, 10), Codec.ZSTD, 10, 4096);
        backup.partition("orders", 1, new RandomRecords(702).records(0, 10), Codec.ZSTD, 10, 4096);
        backup.partition("payments", 0, new RandomRecords(703).records(0, 10), Codec.ZSTD, 10, 4096);
        backup.publish();

        assertError(with("backup.id", "no-such-backup"), "backup.id", "no manifest at no-such-backup/manifest.json",
                "s3://" + s3.bucket() + "/backups");
        assertError(with("restore.time.start", "last tuesday"), "restore.time.start", "ISO-8601");
        assertError(with("restore.time.start", "2026-11-23T10:00:00Z", "restore.time.end", "2026-11-23T09:00:00Z"),
                "restore.time.end", "before its start");
        assertError(with("topic.mapping", "orders"), "topic.mapping", "must be sourceTopic:targetTopic");
        assertError(with("partition.mapping", "orders/x:1"), "partition.mapping", "'x' is not a partition number");
        assertError(with("partition.mapping", "orders/0:1"), "partition.mapping", "would all be restored to "
                + "orders-1");
        assertError(with("topic.mapping", "orders:payments"), "topic.mapping", "would all be restored to "
                + "payments-0");
        assertError(with("partition.mapping", "orders/7:1"), "partition.mapping", "does not hold");
        assertError(with("topics", "orders,ghost"), "topics", "has no topic ghost");
        assertError(with("topics.regex", "nothing-.*"), "topics.regex", "No topic of backup 'checks' matches");
        assertError(with("key.converter", "org.apache.kafka.connect.json.JsonConverter"), "key.converter",
                "key.converter=org.apache.kafka.connect.converters.ByteArrayConverter");
        assertError(without("header.converter"), "header.converter", "header.converter is not set");
        assertError(without("cluster.bootstrap.servers"), "cluster.bootstrap.servers", "bootstrap servers");
        assertError(with("s3.bucket", "no-such-bucket"), "s3.bucket", "no-such-bucket");
        assertError(with("restore.corrupt.segment.policy", "ignore"), "restore.corrupt.segment.policy", "ignore");
        assertError(with("restore.mode", "follow", "restore.time.end", "2026-11-23T09:00:00Z"), "restore.time.end",
                "restore.mode=follow", "needs an open window end", "Unset restore.time.end");
        assertError(with("restore.mode", "sometimes"), "restore.mode", "sometimes");
    }

    @Test
    void aConfigWithTheWrongConvertersIsRefused() {
        Map<String, String> config = harness.config("valid");
        config.put("value.converter", "org.apache.kafka.connect.storage.StringConverter");
        Exception refused = assertThrows(Exception.class,
                () -> connect.configureConnector("restore-wrong-converter", config));
        assertTrue(refused.getMessage().contains("value.converter"), refused.getMessage());
    }

    private Map<String, String> with(String... keyValues) {
        Map<String, String> config = harness.config("checks");
        for (int i = 0; i < keyValues.length; i += 2) {
            config.put(keyValues[i], keyValues[i + 1]);
        }
        return config;
    }

    private Map<String, String> without(String key) {
        Map<String, String> config = harness.config("checks");
        config.remove(key);
        return config;
    }

    private static ConfigInfos validate(Map<String, String> config) {
        config.put("name", "restore-validation");
        return connect.validateConnectorConfig(RestoreSourceConnector.class.getSimpleName(), config);
    }

    private static void assertError(Map<String, String> config, String key, String... fragments) {
        ConfigInfos result = validate(config);
        Map<String, List<String>> errors = errors(result);
        List<String> messages = errors.getOrDefault(key, List.of());
        assertFalse(messages.isEmpty(), "expected an error on " + key + ", got " + errors);
        String all = String.join(" | ", messages);
        for (String fragment : fragments) {
            assertTrue(all.contains(fragment), "error on " + key + " should mention '" + fragment + "': " + all);
        }
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

    private static long size(ConsumerRecord<byte[], byte[]> record) {
        long size = (record.key() == null ? 0 : record.key().length) + (record.value() == null ? 0
                : record.value().length);
        for (Header header : record.headers()) {
            size += header.key().getBytes(StandardCharsets.UTF_8).length
                    + (header.value() == null ? 0 : header.value().length);
        }
        return size;
    }
}
