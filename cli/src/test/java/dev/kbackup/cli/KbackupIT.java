package dev.kbackup.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.kbackup.format.SegmentInfo;
import dev.kbackup.layout.BackupLayout;
import dev.kbackup.layout.CatalogObject;
import dev.kbackup.layout.Json;
import dev.kbackup.layout.PartitionIndex;
import dev.kbackup.layout.RestoreKeys;
import dev.kbackup.restore.RestoreSourceConnector;
import dev.kbackup.sink.BackupSinkConnector;
import dev.kbackup.storage.ObjectInfo;
import dev.kbackup.storage.ObjectStore;
import dev.kbackup.storage.ObjectStores;
import dev.kbackup.storage.StorageSettings;
import dev.kbackup.storage.WriteMode;
import dev.kbackup.testing.Await;
import dev.kbackup.testing.BackupConnectorConfig;
import dev.kbackup.testing.BackupContents;
import dev.kbackup.testing.ConnectClusters;
import dev.kbackup.testing.KafkaTestData;
import dev.kbackup.testing.RestoreConnectorConfig;
import dev.kbackup.testing.S3ConnectFixture;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.connect.util.clusters.EmbeddedConnectCluster;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.RandomAccessFile;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * bin/kbackup against backups the real sink wrote in a real Connect worker, one to S3Proxy and one to a filesystem
 * store: three rounds of records an hour apart in record time, each round in segments of its own. Every command's
 * human and JSON output is checked against what the backup holds; verify is run on damaged copies.
 */
class KbackupIT {

    private static final String TOPIC = "orders";
    private static final int PARTITIONS = 3;
    private static final int ROUNDS = 3;
    private static final int PER_ROUND = 200;
    private static final long TOTAL = (long) PARTITIONS * ROUNDS * PER_ROUND;
    private static final Instant T0 = Instant.parse("2026-11-01T00:00:00Z");
    private static final long HOUR = 3_600_000;
    private static final Duration TIMEOUT = Duration.ofSeconds(120);
    private static final ObjectMapper JSON = new ObjectMapper();

    private static S3ConnectFixture cluster;
    private static Path fsRoot;
    private static Path s3Config;
    private static Path fsConfig;
    private static ObjectStore s3Store;
    private static ObjectStore fsStore;
    private static JsonNode statusWhileRunning;
    private static Result lastStatus;

    @TempDir
    Path scratch;

    @BeforeAll
    static void backUpThreeRoundsWithTheRealSink() throws Exception {
        cluster = S3ConnectFixture.start("kbackup-cli-it", 1, Map.of());
        EmbeddedConnectCluster connect = cluster.connect();
        String bootstrap = connect.kafka().bootstrapServers();
        ConnectClusters.createTopic(connect, TOPIC, PARTITIONS, Map.of());
        Path work = Files.createTempDirectory("kbackup-cli-it");
        fsRoot = Files.createDirectories(work.resolve("store"));
        Map<String, String> s3 = BackupConnectorConfig.of(BackupSinkConnector.class, "orders-s3", TOPIC)
                .storage(cluster.s3().connectorConfig()).prefix("it").cluster(bootstrap)
                .stateDir(work.resolve("state-s3")).checkpointIntervalMs(500).build();
        Map<String, String> fs = BackupConnectorConfig.of(BackupSinkConnector.class, "orders-fs", TOPIC)
                .storage(Map.of("storage.type", "filesystem", "filesystem.path", fsRoot.toString()))
                .cluster(bootstrap).stateDir(work.resolve("state-fs")).checkpointIntervalMs(500).build();
        connect.configureConnector("cli-s3", s3);
        connect.configureConnector("cli-fs", fs);
        s3Config = writeS3Config(work, s3);
        fsConfig = writeProperties(work.resolve("fs.properties"), fs);
        s3Store = ObjectStores.open(StorageSettings.parse(s3));
        fsStore = ObjectStores.open(StorageSettings.parse(fs));

        for (int round = 0; round < ROUNDS; round++) {
            produceRound(bootstrap, round);
            long expected = (long) PARTITIONS * PER_ROUND * (round + 1);
            // every record of the round in complete segments before the next round starts: rounds never share one
            Await.until(TIMEOUT, "both backups to hold round " + round, () ->
                    contents(s3Store, "orders-s3").recordCount() == expected
                            && contents(fsStore, "orders-fs").recordCount() == expected);
        }
        Await.until(TIMEOUT, "the S3 backup's task to be alive in its synced side-store", () -> {
            lastStatus = run("status", "--config", s3Config.toString(), "-o", "json");
            statusWhileRunning = json(lastStatus);
            return statusWhileRunning.path("alive").asBoolean();
        }, () -> "the last status: " + lastStatus);
        connect.deleteConnector("cli-s3");
        connect.deleteConnector("cli-fs");
        Await.until(TIMEOUT, "both tasks to sync a STOPPED side-store and publish every segment", () ->
                stoppedAndPublished(s3Config, s3Store, "orders-s3") && stoppedAndPublished(fsConfig, fsStore,
                        "orders-fs"));

        // a restore of the filesystem backup, whose summary `status` shows
        connect.configureConnector("cli-restore", RestoreConnectorConfig.of(RestoreSourceConnector.class,
                "orders-fs").storage(Map.of("storage.type", "filesystem", "filesystem.path", fsRoot.toString()))
                .topicMapping(TOPIC + ":" + TOPIC + "-restored").createTopics().cluster(bootstrap).build());
        String summary = new RestoreKeys(new BackupLayout("orders-fs"), "cli-restore").summaryKey(0);
        Await.until(TIMEOUT, "the restore to write its summary " + summary,
                () -> fsStore.stat(summary).isPresent());
        connect.deleteConnector("cli-restore");
    }

    @AfterAll
    static void stop() {
        for (AutoCloseable closeable : new AutoCloseable[] {s3Store, fsStore, cluster}) {
            try {
                if (closeable != null) {
                    closeable.close();
                }
            } catch (Exception ignored) {
                // the next one still closes
            }
        }
    }

    @Test
    void listShowsEveryBackupWithItsRecordsBytesTimesAndJob() throws Exception {
        for (Path config : List.of(s3Config, fsConfig)) {
            String id = config == s3Config ? "orders-s3" : "orders-fs";
            BackupContents contents = contents(config == s3Config ? s3Store : fsStore, id);
            Result json = run("list", "--config", config.toString(), "--output", "json");
            assertEquals(0, json.code(), json.toString());
            JsonNode backups = json(json).get("backups");
            assertEquals(1, backups.size(), json.out());
            JsonNode backup = backups.get(0);
            assertEquals(id, backup.get("backupId").asText());
            assertEquals(List.of(TOPIC), JSON.convertValue(backup.get("topics"), List.class));
            assertEquals(PARTITIONS, backup.get("partitions").asInt());
            assertEquals(TOTAL, backup.get("records").asLong());
            assertEquals(storedBytes(contents), backup.get("storedBytes").asLong());
            assertTrue(backup.get("compressionRatio").asDouble() > 1.5, json.out());
            assertEquals("2026-11-01T00:00:00Z", backup.get("firstTimestamp").asText());
            assertEquals(lastTimestamp().toString(), backup.get("lastTimestamp").asText());
            assertFalse(backup.get("alive").asBoolean());
            assertEquals(1, backup.get("tasks").asInt());

            Result human = run("list", "--config", config.toString());
            assertEquals(0, human.code(), human.toString());
            List<String> lines = human.out().lines().toList();
            assertTrue(lines.get(0).matches("BACKUP\\s+TOPICS\\s+PARTITIONS\\s+RECORDS\\s+STORED\\s+RATIO\\s+FIRST "
                    + "RECORD\\s+LAST RECORD\\s+LAST UPDATE\\s+JOB"), lines.get(0));
            assertTrue(lines.get(1).matches(id + "\\s+1\\s+3\\s+1800\\s+\\d+\\.\\d\\d MiB\\s+\\d+\\.\\d\\dx\\s+"
                    + "2026-11-01T00:00:00Z\\s+2026-11-01T02:03:19Z\\s+\\S+Z\\s+stopped"), lines.get(1));
        }
    }

    @Test
    void describeShowsEachPartitionsOffsetsTimesSegmentsAndNoGaps() throws Exception {
        BackupContents contents = contents(s3Store, "orders-s3");
        Result json = run("describe", "orders-s3", "--config", s3Config.toString(), "-o", "json");
        assertEquals(0, json.code(), json.toString());
        JsonNode partitions = json(json).get("partitions");
        assertEquals(PARTITIONS, partitions.size());
        for (int p = 0; p < PARTITIONS; p++) {
            JsonNode partition = partitions.get(p);
            assertEquals(TOPIC, partition.get("topic").asText());
            assertEquals(p, partition.get("partition").asInt());
            assertEquals(0, partition.get("firstOffset").asLong());
            assertEquals(ROUNDS * PER_ROUND - 1, partition.get("lastOffset").asLong());
            assertEquals(ROUNDS * PER_ROUND, partition.get("records").asLong());
            assertEquals(contents.segments(TOPIC, p).size(), partition.get("segments").asInt());
            assertTrue(partition.get("segments").asInt() >= ROUNDS, json.out());
            assertEquals("2026-11-01T00:00:00Z", partition.get("firstTimestamp").asText());
            assertEquals(lastTimestamp().toString(), partition.get("lastTimestamp").asText());
            assertEquals(0, partition.get("gaps").size());
        }
        Result human = run("describe", "--config", s3Config.toString(), "--set", "backup.id=orders-s3");
        assertEquals(0, human.code(), human.toString());
        assertTrue(human.out().contains("Backup orders-s3 in s3://"), human.out());
        assertTrue(human.out().lines().anyMatch(line -> line.matches("orders\\s+1\\s+0\\.\\.599\\s+"
                + "2026-11-01T00:00:00Z\\s+2026-11-01T02:03:19Z\\s+" + contents.segments(TOPIC, 1).size()
                + "\\s+600\\s+\\d+\\.\\d\\d MiB\\s+none")), human.out());
    }

    @Test
    void planReadsOnlyTheSegmentsOfTheWindowAndEstimatesItsRecords() throws Exception {
        String start = T0.plusMillis(HOUR).toString();
        String end = T0.plusMillis(2 * HOUR).toString();
        Result json = run("plan", "orders-fs", "--config", fsConfig.toString(), "--start", start, "--end", end,
                "--topics", TOPIC, "-o", "json");
        assertEquals(0, json.code(), json.toString());
        JsonNode report = json(json);
        assertEquals((long) PARTITIONS * PER_ROUND, report.get("estimatedRecords").asLong());
        BackupContents contents = contents(fsStore, "orders-fs");
        for (int p = 0; p < PARTITIONS; p++) {
            JsonNode plan = report.get("partitions").get(p);
            List<SegmentInfo> secondRound = contents.segments(TOPIC, p).stream()
                    .filter(segment -> segment.firstOffset() >= PER_ROUND && segment.lastOffset() < 2 * PER_ROUND)
                    .toList();
            assertEquals(secondRound.stream().map(SegmentInfo::key).toList(),
                    JSON.convertValue(plan.get("segmentKeys"), List.class));
            assertEquals(secondRound.stream().mapToLong(SegmentInfo::sizeBytes).sum(),
                    plan.get("storedBytes").asLong());
            assertEquals(PER_ROUND, plan.get("estimatedRecords").asLong());
            assertEquals(PER_ROUND, plan.get("firstOffset").asLong());
            assertEquals(2 * PER_ROUND - 1, plan.get("lastOffset").asLong());
        }
        Result human = run("plan", "orders-fs", "--config", fsConfig.toString(), "--start", start, "--end", end);
        assertEquals(0, human.code(), human.toString());
        assertTrue(human.out().contains("window [2026-11-01T01:00:00Z, 2026-11-01T02:00:00Z)"), human.out());
        assertTrue(human.out().lines().anyMatch(line -> line.matches(
                "orders\\s+2\\s+\\d+\\s+\\d+\\.\\d\\d MiB\\s+200\\s+200\\.\\.399\\s+none")), human.out());
    }

    @Test
    void statusShowsTheTasksSideStoreItsLastDurableOffsetsAndTheRestoresRunFromIt() throws Exception {
        JsonNode running = statusWhileRunning.get("tasks").get(0);
        assertEquals("RUNNING", running.get("status").asText());
        assertTrue(running.get("alive").asBoolean());

        Result json = run("status", "orders-fs", "--config", fsConfig.toString(), "-o", "json");
        assertEquals(0, json.code(), json.toString());
        JsonNode report = json(json);
        assertFalse(report.get("alive").asBoolean());
        JsonNode task = report.get("tasks").get(0);
        assertEquals("cli-fs", task.get("connector").asText());
        assertEquals(0, task.get("task").asInt());
        assertEquals("STOPPED", task.get("status").asText());
        Map<String, Long> durable = new TreeMap<>();
        task.get("partitions").forEach(partition -> durable.put(partition.get("topic").asText() + "-"
                + partition.get("partition").asInt(), partition.get("lastDurableOffset").asLong()));
        assertEquals(Map.of("orders-0", 599L, "orders-1", 599L, "orders-2", 599L), durable);
        JsonNode restore = report.get("restores").get(0);
        assertEquals(1, report.get("restores").size(), json.out());
        assertEquals("cli-restore", restore.get("connector").asText());
        assertEquals(TOTAL, restore.get("records").asLong());
        assertEquals(0, restore.get("skippedSegments").asInt());
        assertEquals(PARTITIONS, restore.get("summary").get("partitions").size());

        Result human = run("status", "orders-fs", "--config", fsConfig.toString());
        assertEquals(0, human.code(), human.toString());
        assertTrue(human.out().contains("Backup orders-fs: no backup job is alive"), human.out());
        assertTrue(human.out().lines().anyMatch(line -> line.matches("cli-fs\\s+0\\s+STOPPED\\s+no\\s+.*")),
                human.out());
        assertTrue(human.out().lines().anyMatch(line -> line.matches("cli-fs\\s+0\\s+orders\\s+2\\s+599\\s+.*")),
                human.out());
        assertTrue(human.out().lines().anyMatch(line -> line.matches("cli-restore\\s+0\\s+\\S+Z\\s+\\[-inf, \\+inf\\)"
                + "\\s+1800\\s+\\d+\\.\\d\\d MiB\\s+\\d+ records/s\\s+0\\s+0")), human.out());
    }

    @Test
    void verifyPassesACleanBackupOnBothStores() throws Exception {
        for (Path config : List.of(s3Config, fsConfig)) {
            String id = config == s3Config ? "orders-s3" : "orders-fs";
            int segments = segmentCount(contents(config == s3Config ? s3Store : fsStore, id));
            Result human = run("verify", id, "--config", config.toString(), "--progress", "lines");
            assertEquals(0, human.code(), human.toString());
            assertTrue(human.out().contains("OK: every segment read is intact"), human.out());
            assertTrue(human.err().contains("Reading " + segments + " segments"), human.err());
            assertTrue(human.err().contains("100% " + segments + "/" + segments + " segments"), human.err());

            Result json = run("verify", id, "--config", config.toString(), "-o", "json", "--progress", "none");
            assertEquals(0, json.code(), json.toString());
            JsonNode report = json(json);
            assertEquals(segments, report.get("segmentsInCatalog").asInt());
            assertEquals(segments, report.get("segmentsRead").asInt());
            assertEquals(0, report.get("problems").size());
            assertTrue(report.get("intact").asBoolean(), json.out());
        }
        Result sample = run("verify", "orders-s3", "--config", s3Config.toString(), "--sample", "50%", "--seed", "7",
                "-o", "json", "--progress", "none");
        assertEquals(0, sample.code(), sample.toString());
        int segments = segmentCount(contents(s3Store, "orders-s3"));
        assertEquals((segments + 1) / 2, json(sample).get("segmentsRead").asInt());
    }

    @Test
    void verifyNamesAFlippedByte() throws Exception {
        Path root = copyOfFilesystemBackup();
        String key = segmentKeys(root, 0).get(1);
        Path file = root.resolve(key);
        long position = Files.size(file) / 2;
        try (RandomAccessFile raf = new RandomAccessFile(file.toFile(), "rw")) {
            raf.seek(position);
            int b = raf.read();
            raf.seek(position);
            raf.write(b ^ 0x10);
        }
        JsonNode problem = onlyProblem(root, "CORRUPT_SEGMENT", key);
        assertTrue(problem.get("block").asInt() >= 0, problem.toString());
        assertTrue(problem.get("message").asText().contains("checksum mismatch"), problem.toString());
        Result human = verify(root, "human");
        assertEquals(1, human.code(), human.toString());
        assertTrue(human.out().contains("CORRUPT_SEGMENT " + key + " (orders-0, offsets "), human.out());
    }

    @Test
    void verifyNamesATruncatedSegment() throws Exception {
        Path root = copyOfFilesystemBackup();
        String key = segmentKeys(root, 1).get(0);
        long size = Files.size(root.resolve(key));
        try (RandomAccessFile raf = new RandomAccessFile(root.resolve(key).toFile(), "rw")) {
            raf.setLength(size - 10);
        }
        JsonNode problem = onlyProblem(root, "SIZE_MISMATCH", key);
        assertTrue(problem.get("message").asText().contains("holds " + (size - 10) + " bytes but the catalog "
                + "records " + size + " (truncated)"), problem.toString());
        assertEquals(0, problem.get("firstOffset").asLong());
    }

    @Test
    void verifyNamesADeletedSegment() throws Exception {
        Path root = copyOfFilesystemBackup();
        String key = segmentKeys(root, 2).get(0);
        Files.delete(root.resolve(key));
        JsonNode problem = onlyProblem(root, "MISSING_SEGMENT", key);
        assertEquals(TOPIC, problem.get("topic").asText());
        assertEquals(2, problem.get("partition").asInt());
        assertEquals(0, problem.get("firstOffset").asLong());
    }

    @Test
    void verifyNamesASegmentMissingFromTheCatalog() throws Exception {
        Path root = copyOfFilesystemBackup();
        List<String> keys = segmentKeys(root, 0);
        String key = keys.get(1);
        dropFromCatalog(root, key);
        JsonNode report = json(verify(root, "json"));
        List<String> kinds = new ArrayList<>();
        report.get("problems").forEach(problem -> kinds.add(problem.get("kind").asText() + " "
                + problem.get("key").asText()));
        assertEquals(List.of("OFFSET_GAP " + keys.get(2), "NOT_IN_CATALOG " + key), kinds, report.toString());
        Result human = verify(root, "human");
        assertEquals(1, human.code());
        assertTrue(human.out().contains("NOT_IN_CATALOG " + key + " (orders-0, offsets "), human.out());
        assertTrue(human.out().contains("a restore would not read it"), human.out());
    }

    @Test
    void badUsageExitsTwoSayingWhatToWrite() {
        Result none = run();
        assertEquals(2, none.code());
        assertTrue(none.err().contains("Name a command: kbackup list|describe|verify|status|plan|offsets|acls "
                + "--config FILE"), none.err());

        Result noConfig = run("list");
        assertEquals(2, noConfig.code());
        assertTrue(noConfig.err().contains("Missing required option: '--config=FILE'"), noConfig.err());
        assertTrue(noConfig.err().contains("Usage: kbackup list [-hV] --config=FILE"), noConfig.err());

        Result badSample = run("verify", "orders-fs", "--config", fsConfig.toString(), "--sample", "0%");
        assertEquals(2, badSample.code());
        assertTrue(badSample.err().contains("--sample '0%': write a percentage above 0 and at most 100, e.g. "
                + "--sample 10%"), badSample.err());

        Result badOutput = run("list", "--config", fsConfig.toString(), "-o", "xml");
        assertEquals(2, badOutput.code());
        assertTrue(badOutput.err().contains("Invalid value for option '--output'"), badOutput.err());

        Result unknown = run("describe", "nope", "--config", fsConfig.toString());
        assertEquals(2, unknown.code());
        assertTrue(unknown.err().contains("There is no backup 'nope' in file://"), unknown.err());
        assertTrue(unknown.err().contains("it holds [orders-fs]"), unknown.err());

        Result badWindow = run("plan", "orders-fs", "--config", fsConfig.toString(), "--start", "yesterday");
        assertEquals(2, badWindow.code());
        assertTrue(badWindow.err().contains("--start 'yesterday': expected epoch milliseconds"), badWindow.err());

        Result unreachable = run("list", "--config", s3Config.toString(), "--set", "s3.endpoint=http://127.0.0.1:1",
                "--set", "s3.retry.max.attempts=1");
        assertEquals(2, unreachable.code(), unreachable.toString());
        assertTrue(unreachable.err().contains("storage is unreachable or refused the request"), unreachable.err());
    }

    // --- helpers ---

    record Result(int code, String out, String err) {
    }

    private static Result run(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = Kbackup.run(args, new PrintWriter(out), new PrintWriter(err));
        return new Result(code, out.toString(), err.toString());
    }

    private static JsonNode json(Result result) {
        try {
            return JSON.readTree(result.out());
        } catch (IOException e) {
            throw new AssertionError("Not JSON: " + result, e);
        }
    }

    private Result verify(Path root, String output) {
        return run("verify", "orders-fs", "--config", fsConfig.toString(), "--set", "filesystem.path=" + root,
                "-o", output, "--progress", "none");
    }

    /** Runs verify on the damaged copy: exit 1 and exactly one problem, of {@code kind} naming {@code key}. */
    private JsonNode onlyProblem(Path root, String kind, String key) {
        Result result = verify(root, "json");
        assertEquals(1, result.code(), result.toString());
        assertFalse(json(result).get("intact").asBoolean(), result.out());
        JsonNode problems = json(result).get("problems");
        assertEquals(1, problems.size(), result.out());
        JsonNode problem = problems.get(0);
        assertEquals(kind, problem.get("kind").asText(), result.out());
        assertEquals(key, problem.get("key").asText(), result.out());
        return problem;
    }

    private Path copyOfFilesystemBackup() throws IOException {
        Path root = Files.createDirectories(scratch.resolve("copy"));
        Path source = fsRoot.resolve("orders-fs");
        try (Stream<Path> files = Files.walk(source)) {
            for (Path file : files.toList()) {
                Path target = root.resolve("orders-fs").resolve(source.relativize(file).toString());
                if (Files.isDirectory(file)) {
                    Files.createDirectories(target);
                } else {
                    Files.copy(file, target);
                }
            }
        }
        return root;
    }

    /** Keys of partition {@code p}'s segments in the copy, in offset order. */
    private static List<String> segmentKeys(Path root, int p) throws IOException {
        Path folder = root.resolve("orders-fs/topics/orders/partition=" + p);
        try (Stream<Path> files = Files.list(folder)) {
            return files.map(file -> root.relativize(file).toString())
                    .filter(key -> BackupLayout.parseSegmentKey(key).isPresent()).sorted().toList();
        }
    }

    /** Rewrites the copy's catalog objects that list {@code key} without it, as if it were never published. */
    private static void dropFromCatalog(Path root, String key) throws IOException {
        BackupLayout layout = new BackupLayout("orders-fs");
        for (String prefix : List.of(layout.indexPrefix(), layout.checkpointsPrefix())) {
            Path folder = root.resolve(prefix);
            if (!Files.isDirectory(folder)) {
                continue;
            }
            try (Stream<Path> files = Files.walk(folder)) {
                for (Path file : files.filter(Files::isRegularFile).toList()) {
                    Optional<CatalogObject> object = CatalogObject.parse(root.relativize(file).toString());
                    if (object.isEmpty() || !object.get().level().holdsEntries()) {
                        continue;
                    }
                    PartitionIndex index = Json.read(Files.readAllBytes(file), PartitionIndex.class, file.toString());
                    if (!index.contains(key)) {
                        continue;
                    }
                    Files.delete(file);
                    PartitionIndex rest = without(index, key);
                    if (!rest.segments().isEmpty()) {
                        // the key names the entries' range and counts, so the rest goes under a key of its own
                        CatalogObject kept = CatalogObject.of(object.get().level(), index.topic(), index.partition(),
                                rest.segments(), object.get().writer());
                        Files.write(root.resolve(kept.key(layout)), Json.write(rest));
                    }
                }
            }
        }
    }

    private static PartitionIndex without(PartitionIndex index, String key) {
        return new PartitionIndex(index.topic(), index.partition(), index.updatedAt(),
                index.segments().stream().filter(segment -> !segment.key().equals(key)).toList());
    }

    private static void produceRound(String bootstrap, int round) {
        String filler = "order placed by customer with a fairly repetitive JSON-like body ".repeat(3);
        try (KafkaProducer<byte[], byte[]> producer = KafkaTestData.producer(bootstrap, Map.of())) {
            for (int p = 0; p < PARTITIONS; p++) {
                for (int i = 0; i < PER_ROUND; i++) {
                    long timestamp = T0.toEpochMilli() + round * HOUR + i * 1000L;
                    producer.send(new ProducerRecord<>(TOPIC, p, timestamp, ("key-" + i).getBytes(
                            StandardCharsets.UTF_8), ("{\"round\":" + round + ",\"i\":" + i + ",\"body\":\"" + filler
                            + "\"}").getBytes(StandardCharsets.UTF_8)));
                }
            }
            producer.flush();
        }
    }

    private static Instant lastTimestamp() {
        return T0.plusMillis((ROUNDS - 1) * HOUR + (PER_ROUND - 1) * 1000L);
    }

    private static BackupContents contents(ObjectStore store, String backupId) {
        return BackupContents.read(store, new BackupLayout(backupId));
    }

    private static int segmentCount(BackupContents contents) {
        int count = 0;
        for (int p = 0; p < PARTITIONS; p++) {
            count += contents.segments(TOPIC, p).size();
        }
        return count;
    }

    private static long storedBytes(BackupContents contents) {
        long bytes = 0;
        for (int p = 0; p < PARTITIONS; p++) {
            bytes += contents.segments(TOPIC, p).stream().mapToLong(SegmentInfo::sizeBytes).sum();
        }
        return bytes;
    }

    /** The task synced a STOPPED side-store, and the catalog lists every stored segment. */
    private static boolean stoppedAndPublished(Path config, ObjectStore store, String backupId) {
        JsonNode status = json(run("status", backupId, "--config", config.toString(), "-o", "json"));
        boolean stopped = status.path("tasks").size() == 1
                && "STOPPED".equals(status.path("tasks").get(0).path("status").asText());
        return stopped && contents(store, backupId).unlistedSegments().isEmpty() && everySegmentIndexed(store,
                backupId);
    }

    /** Every stored segment is in an index piece (not only found after the last one by recovery). */
    private static boolean everySegmentIndexed(ObjectStore store, String backupId) {
        BackupLayout layout = new BackupLayout(backupId);
        List<String> stored = new ArrayList<>();
        store.list(layout.topicsPrefix(), null).forEachRemaining(object -> stored.add(object.key()));
        List<String> indexed = new ArrayList<>();
        store.list(layout.indexPrefix(), null).forEachRemaining((ObjectInfo piece) -> store.readIfExists(piece.key())
                .ifPresent(bytes -> Json.read(bytes, PartitionIndex.class, piece.key()).segments()
                        .forEach(segment -> indexed.add(segment.key()))));
        return indexed.containsAll(stored.stream().filter(key -> BackupLayout.parseSegmentKey(key).isPresent())
                .toList());
    }

    private static Path writeS3Config(Path work, Map<String, String> config) throws IOException {
        // the secret comes from a file, as a worker with config.providers=file would resolve it
        Path secrets = work.resolve("s3-secrets.properties");
        Files.writeString(secrets, "secret=" + config.get("s3.secret.access.key") + "\n");
        Map<String, String> withReference = new TreeMap<>(config);
        withReference.put("s3.secret.access.key", "${file:" + secrets + ":secret}");
        Path file = work.resolve("cli-s3.json");
        Files.writeString(file, JSON.writeValueAsString(Map.of("name", "cli-s3", "config", withReference)));
        return file;
    }

    private static Path writeProperties(Path file, Map<String, String> config) throws IOException {
        StringBuilder text = new StringBuilder();
        config.entrySet().stream().sorted(Map.Entry.comparingByKey()).forEach(entry -> text.append(entry.getKey())
                .append('=').append(entry.getValue().replace("\\", "\\\\")).append('\n'));
        Files.writeString(file, text.toString());
        return file;
    }
}
