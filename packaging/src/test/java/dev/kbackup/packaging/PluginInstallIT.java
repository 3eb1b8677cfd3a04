package dev.kbackup.packaging;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.kbackup.layout.BackupCatalog;
import dev.kbackup.layout.BackupLayout;
import dev.kbackup.layout.PartitionIndex;
import dev.kbackup.storage.ObjectStore;
import dev.kbackup.storage.ObjectStores;
import dev.kbackup.testing.Await;
import dev.kbackup.testing.BackupConnectorConfig;
import dev.kbackup.testing.ConnectClusters;
import dev.kbackup.testing.KafkaTestData;
import dev.kbackup.testing.RestoreConnectorConfig;
import dev.kbackup.testing.S3ProxyFixture;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.Header;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Installs the built plugin tarball the way an operator does, into the plugin.path of a real distributed Connect
 * worker process next to a real KRaft broker process, and drives it only through the REST API: the worker lists
 * both connectors with the project version, validate reports field errors, and a backup and a restore posted as
 * JSON bring back every record byte for byte. The worker runs the Prometheus JMX exporter agent with our rules
 * (packaging/monitoring/kbackup-jmx-exporter.yaml), as an operator would, and a scrape shows both connectors' series.
 */
class PluginInstallIT {

    private static final String SINK = "dev.kbackup.sink.BackupSinkConnector";
    private static final String SOURCE = "dev.kbackup.restore.RestoreSourceConnector";
    private static final String BYTES = "org.apache.kafka.connect.converters.ByteArrayConverter";
    // Generous: the worker is a separate JVM, and on a loaded 2-core machine its first segments took over a minute.
    private static final Duration TIMEOUT = Duration.ofMinutes(3);
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    private static Path workDir;
    private static S3ProxyFixture s3;
    private static KafkaProcesses kafka;
    private static URI metricsUri;

    @BeforeAll
    static void installAndStart() throws Exception {
        workDir = Files.createTempDirectory("kbackup-install-it");
        Path pluginPath = workDir.resolve("plugins");
        PluginArchives.unpackTarGz(PluginArchives.pluginTarball(), pluginPath);
        s3 = S3ProxyFixture.start();
        Path classpath = Path.of(System.getProperty("kbackup.kafka.classpath"));
        if (!Files.exists(classpath)) {
            throw new IllegalStateException(classpath + " is missing: it is written by the quickstart module; "
                    + "build with it, e.g. mvn -B verify -pl packaging -am");
        }
        kafka = new KafkaProcesses(workDir, classpath);
        kafka.startBroker();
        Path agent = Path.of(System.getProperty("kbackup.jmx.exporter.agent"));
        if (!Files.exists(agent)) {
            throw new IllegalStateException(agent + " is missing: the quickstart module copies it from Maven "
                    + "Central; build with it, e.g. mvn -B verify -pl packaging -am");
        }
        int metricsPort;
        try (java.net.ServerSocket socket = new java.net.ServerSocket(0)) {
            metricsPort = socket.getLocalPort();
        }
        metricsUri = URI.create("http://127.0.0.1:" + metricsPort + "/metrics");
        kafka.startWorker(pluginPath, List.of("-javaagent:" + agent + "=127.0.0.1:" + metricsPort + ":"
                + RepoPaths.root().resolve(JmxExporterRules.COMMITTED_PATH)));
    }

    @AfterAll
    static void stop() throws Exception {
        try {
            if (kafka != null) {
                kafka.close();
            }
        } finally {
            if (s3 != null) {
                s3.close();
            }
        }
        if (workDir != null && (kafka == null || kafka.broker() == null || !kafka.broker().isAlive())) {
            try (var files = Files.walk(workDir)) {
                files.sorted(java.util.Comparator.reverseOrder()).forEach(file -> file.toFile().delete());
            }
        }
    }

    @Test
    void workerListsBothConnectorsWithTheProjectVersion() throws Exception {
        JsonNode plugins = JSON.readTree(get("/connector-plugins?connectorsOnly=true"));
        Map<String, String> versions = new TreeMap<>();
        plugins.forEach(plugin -> versions.put(plugin.path("class").asText(), plugin.path("version").asText()));
        assertEquals(PluginArchives.projectVersion(), versions.get(SINK), versions.toString());
        assertEquals(PluginArchives.projectVersion(), versions.get(SOURCE), versions.toString());
        assertEquals("sink", typeOf(plugins, SINK));
        assertEquals("source", typeOf(plugins, SOURCE));
    }

    @Test
    void workerClasspathHoldsOnlyKafkaSoThePluginComesFromPluginPath() throws IOException {
        String classpath = Files.readString(Path.of(System.getProperty("kbackup.kafka.classpath")));
        for (String entry : classpath.trim().split(java.io.File.pathSeparator)) {
            String jar = Path.of(entry).getFileName().toString();
            assertTrue(!entry.contains("/dev/kbackup/") && !jar.startsWith("s3-") && !jar.startsWith("sqlite-jdbc")
                    && !jar.startsWith("s3proxy"), "the worker's own classpath has " + entry);
        }
        assertTrue(classpath.contains("connect-runtime-"), "the worker runs Kafka's connect-runtime");
    }

    @Test
    void validateReportsFieldErrorsForBadConfigs() throws Exception {
        Map<String, String> backup = backupConfig("bad-backup", "events");
        backup.remove("backup.id");
        backup.put("value.converter", "org.apache.kafka.connect.storage.StringConverter");
        backup.put("compression.level", "30");
        Map<String, String> errors = validate(SINK, backup);
        assertTrue(errors.get("backup.id").contains("backup.id is required"), errors.toString());
        assertTrue(errors.get("value.converter").contains("set value.converter=" + BYTES), errors.toString());
        assertTrue(errors.get("compression.level").contains("22"), errors.toString());

        Map<String, String> restore = restoreConfig("no-such-backup", "events:events-copy");
        restore.put("restore.time.start", "2026-11-23T10:00:00Z");
        restore.put("restore.time.end", "2026-11-23T09:00:00Z");
        Map<String, String> restoreErrors = validate(SOURCE, restore);
        assertTrue(restoreErrors.containsKey("restore.time.end"), restoreErrors.toString());

        restore.remove("restore.time.start");
        restore.remove("restore.time.end");
        restoreErrors = validate(SOURCE, restore);
        assertTrue(restoreErrors.getOrDefault("backup.id", "").contains("does not exist"), restoreErrors.toString());
    }

    @Test
    void backupAndRestorePostedAsJsonBringBackEveryRecord() throws Exception {
        String topic = "events";
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG,
                kafka.bootstrapServers()))) {
            admin.createTopics(List.of(new NewTopic(topic, 3, (short) 1))).all().get();
        }
        awaitLeaders(topic, 3);
        KafkaTestData.produceMixed(kafka.bootstrapServers(), topic, 3, 3000, 7);
        Map<Integer, List<ConsumerRecord<byte[], byte[]>>> originals = byPartition(topic);
        long count = originals.values().stream().mapToLong(List::size).sum();

        put("/connectors/install-backup/config", backupConfig("install-it", topic));
        try (ObjectStore store = ObjectStores.open(s3.storageSettings(Map.of("storage.prefix", "it")))) {
            BackupCatalog catalog = new BackupCatalog(store, new BackupLayout("install-it"));
            Await.until(TIMEOUT, "the backup to list all " + count + " records", () -> catalog.loadAll().values()
                    .stream().flatMap(p -> p.values().stream()).mapToLong(PartitionIndex::recordCount).sum() == count,
                    () -> "connector status: " + safeGet("/connectors/install-backup/status"));
        }

        Map<String, String> restore = restoreConfig("install-it", topic + ":" + topic + "-restored");
        restore.put("restore.original.headers", "false");
        put("/connectors/install-restore/config", restore);
        Await.until(TIMEOUT, "the restore of all " + count + " records", () -> byPartition(topic + "-restored")
                .values().stream().mapToLong(List::size).sum() == count,
                () -> "connector status: " + safeGet("/connectors/install-restore/status"));

        Map<Integer, List<ConsumerRecord<byte[], byte[]>>> restored = byPartition(topic + "-restored");
        assertEquals(originals.keySet(), restored.keySet(), "partitions");
        originals.forEach((partition, want) -> {
            List<ConsumerRecord<byte[], byte[]>> got = restored.get(partition);
            assertEquals(want.size(), got.size(), "records in partition " + partition);
            for (int i = 0; i < want.size(); i++) {
                String at = "partition " + partition + " record " + i + " (original offset " + want.get(i).offset()
                        + ")";
                assertArrayEquals(want.get(i).key(), got.get(i).key(), at + ": key");
                assertArrayEquals(want.get(i).value(), got.get(i).value(), at + ": value");
                assertEquals(want.get(i).timestamp(), got.get(i).timestamp(), at + ": timestamp");
                assertEquals(headers(want.get(i)), headers(got.get(i)), at + ": headers");
            }
        });
        assertEquals("RUNNING", JSON.readTree(get("/connectors/install-backup/status")).path("tasks").path(0)
                .path("state").asText());
    }

    @Test
    void cliFromTheUnpackedTarballListsTheBackupWithOnlyJavaOnThePath() throws Exception {
        String topic = "listed";
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG,
                kafka.bootstrapServers()))) {
            admin.createTopics(List.of(new NewTopic(topic, 3, (short) 1))).all().get();
        }
        awaitLeaders(topic, 3);
        KafkaTestData.produceMixed(kafka.bootstrapServers(), topic, 3, 600, 5);
        Map<String, String> backup = backupConfig("cli-it", topic);
        put("/connectors/install-cli/config", backup);
        try (ObjectStore store = ObjectStores.open(s3.storageSettings(Map.of("storage.prefix", "it")))) {
            BackupCatalog catalog = new BackupCatalog(store, new BackupLayout("cli-it"));
            Await.until(TIMEOUT, "the backup to list all 600 records", () -> catalog.loadAll().values()
                    .stream().flatMap(p -> p.values().stream()).mapToLong(PartitionIndex::recordCount).sum() == 600,
                    () -> "connector status: " + safeGet("/connectors/install-cli/status"));
        }
        // the JSON an operator posted to Connect is the CLI's config, as it is
        Path config = workDir.resolve("install-cli.json");
        Files.writeString(config, JSON.writeValueAsString(Map.of("name", "install-cli", "config", backup)));
        Path kbackup = workDir.resolve("plugins/kbackup-" + PluginArchives.projectVersion() + "/bin/kbackup");

        ProcessResult human = runWithOnlyJava(kbackup, "list", "--config", config.toString());
        assertEquals(0, human.code(), human.toString());
        assertTrue(human.out().lines().anyMatch(line -> line.matches("cli-it\\s+1\\s+3\\s+600\\s+.*")),
                human.toString());
        ProcessResult json = runWithOnlyJava(kbackup, "list", "--config", config.toString(), "--output", "json");
        assertEquals(0, json.code(), json.toString());
        JsonNode listed = null;
        for (JsonNode entry : JSON.readTree(json.out()).path("backups")) {
            if (entry.path("backupId").asText().equals("cli-it")) {
                listed = entry;
            }
        }
        assertTrue(listed != null, json.out());
        assertEquals(600, listed.path("records").asLong());
        assertEquals(List.of(topic), JSON.convertValue(listed.path("topics"), List.class));
    }

    record ProcessResult(int code, String out, String err) {
    }

    /** Runs {@code command} with a PATH that holds only the directory of this JVM's java, and nothing else set. */
    private static ProcessResult runWithOnlyJava(Path command, String... args) throws Exception {
        List<String> line = new ArrayList<>(List.of(command.toString()));
        line.addAll(List.of(args));
        ProcessBuilder builder = new ProcessBuilder(line);
        builder.environment().clear();
        builder.environment().put("PATH", Path.of(System.getProperty("java.home"), "bin").toString());
        Path out = Files.createTempFile(workDir, "kbackup-out", ".txt");
        Path err = Files.createTempFile(workDir, "kbackup-err", ".txt");
        Process process = builder.redirectOutput(out.toFile()).redirectError(err.toFile()).start();
        if (!process.waitFor(TIMEOUT.toSeconds(), java.util.concurrent.TimeUnit.SECONDS)) {
            process.destroyForcibly();
            throw new AssertionError(command + " did not finish within " + TIMEOUT + ": " + Files.readString(err));
        }
        return new ProcessResult(process.exitValue(), Files.readString(out), Files.readString(err));
    }

    @Test
    void backupAndRestoreShowInThePrometheusScrapeWithTheirCounts() throws Exception {
        String topic = "metered";
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG,
                kafka.bootstrapServers()))) {
            admin.createTopics(List.of(new NewTopic(topic, 3, (short) 1))).all().get();
        }
        awaitLeaders(topic, 3);
        KafkaTestData.produceMixed(kafka.bootstrapServers(), topic, 3, 1500, 11);
        long count = byPartition(topic).values().stream().mapToLong(List::size).sum();

        Map<String, String> backup = backupConfig("metrics-it", topic);
        backup.put("cluster.bootstrap.servers", kafka.bootstrapServers());
        backup.put("checkpoint.interval.ms", "500");
        put("/connectors/metered-backup/config", backup);
        Await.until(TIMEOUT, "the scrape to count all " + count + " records backed up and the lag of each of the 3 "
                + "partitions at 0", () -> {
                    PrometheusScrape scrape = scrape();
                    List<PrometheusScrape.Sample> lag = scrape.of("kbackup_backup_backup_lag", "metered-backup");
                    return scrape.sum("kbackup_backup_records_in_total", "metered-backup") == count
                            && lag.size() == 3 && lag.stream().allMatch(sample -> sample.value() == 0);
                }, () -> "scrape: " + safeScrape("kbackup_backup_") + "\nconnector status: "
                        + safeGet("/connectors/metered-backup/status") + "\n" + kafka.worker().logTail());
        PrometheusScrape backedUp = PrometheusScrape.of(metricsUri);
        assertEquals(Set.of("0", "1", "2"), backedUp.of("kbackup_backup_backup_lag", "metered-backup").stream()
                .map(sample -> sample.labels().get("partition")).collect(Collectors.toSet()), "lag per partition");
        assertTrue(backedUp.of("kbackup_backup_backup_lag", "metered-backup").stream()
                .allMatch(sample -> topic.equals(sample.labels().get("topic"))), "lag is labelled with its topic");
        assertEquals(2, backedUp.of("kbackup_backup_records_in_total", "metered-backup").size(),
                "one series per task");
        assertTrue(backedUp.sum("kbackup_backup_bytes_written_total", "metered-backup") > 0, "bytes stored");
        assertTrue(backedUp.sum("kbackup_backup_segments_written_total", "metered-backup") >= 3,
                "a segment per partition at least");
        assertTrue(backedUp.sum("kbackup_backup_bytes_in_total", "metered-backup") > 0, "bytes accepted");
        assertEquals(0, backedUp.sum("kbackup_backup_storage_circuit_state", "metered-backup"), "circuit closed");
        assertEquals(0, backedUp.sum("kbackup_backup_state_sync_failures_total", "metered-backup"),
                "no failed publication");

        Map<String, String> restore = restoreConfig("metrics-it", topic + ":" + topic + "-restored");
        put("/connectors/metered-restore/config", restore);
        Await.until(TIMEOUT, "the scrape to count all " + count + " records restored and every task complete", () -> {
            PrometheusScrape scrape = scrape();
            List<PrometheusScrape.Sample> complete = scrape.of("kbackup_restore_restore_complete", "metered-restore");
            return scrape.sum("kbackup_restore_records_restored_total", "metered-restore") == count
                    && !complete.isEmpty() && complete.stream().allMatch(sample -> sample.value() == 1);
        }, () -> "scrape: " + safeScrape("kbackup_restore_") + "\nconnector status: "
                + safeGet("/connectors/metered-restore/status") + "\n" + kafka.worker().logTail());
        PrometheusScrape restored = PrometheusScrape.of(metricsUri);
        assertEquals(0, restored.sum("kbackup_restore_records_remaining", "metered-restore"), "nothing remaining");
        assertTrue(restored.sum("kbackup_restore_bytes_restored_total", "metered-restore") > 0, "bytes restored");
        assertEquals(count, byPartition(topic + "-restored").values().stream().mapToLong(List::size).sum(),
                "records in the restored topic");

        Set<String> missing = new TreeSet<>(MonitoringSeries.usedByAlertsAndDashboards());
        missing.removeAll(restored.names());
        assertEquals(Set.of(), missing, "series the alert rules or dashboards use but the scrape lacks");
        // every series the rules define is in the scrape, so alerts and dashboards built on them have data
        JmxExporterRules.METRICS_BY_CONNECTOR_TYPE.forEach((type, metrics) -> metrics.forEach(metric -> {
            String name = metric.prometheusName(type);
            assertTrue(!restored.of(name, "metered-" + type).isEmpty(), name + " is in the scrape: "
                    + restored.names());
        }));
    }

    /** Scrapes the worker's exporter; an answer other than 200 fails the test. */
    private static PrometheusScrape scrape() {
        try {
            return PrometheusScrape.of(metricsUri);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException("scraping " + metricsUri, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while scraping " + metricsUri, e);
        }
    }

    private static String safeScrape(String prefix) {
        try {
            return PrometheusScrape.of(metricsUri).samples().stream().filter(s -> s.name().startsWith(prefix))
                    .map(Object::toString).collect(Collectors.joining("\n"));
        } catch (Exception e) {
            return e.toString();
        }
    }

    private static Map<String, String> backupConfig(String backupId, String topics) {
        return BackupConnectorConfig.of(SINK, backupId, topics)
                .storage(s3.connectorConfig())
                .prefix("it")
                .tasks(2)
                .stateDir(workDir.resolve("state"))
                .build();
    }

    private static Map<String, String> restoreConfig(String backupId, String mapping) {
        return RestoreConnectorConfig.of(SOURCE, backupId)
                .storage(s3.connectorConfig())
                .prefix("it")
                .tasks(2)
                .topicMapping(mapping)
                .createTopics()
                .cluster(kafka.bootstrapServers())
                .build();
    }

    private static Map<Integer, List<ConsumerRecord<byte[], byte[]>>> byPartition(String topic) {
        return ConnectClusters.readAll(kafka.bootstrapServers(), topic, true, TIMEOUT).stream()
                .collect(Collectors.groupingBy(ConsumerRecord::partition, TreeMap::new, Collectors.toList()));
    }

    private static List<String> headers(ConsumerRecord<byte[], byte[]> record) {
        List<String> headers = new ArrayList<>();
        for (Header header : record.headers()) {
            headers.add(header.key() + "=" + (header.value() == null ? "<null>"
                    : java.util.HexFormat.of().formatHex(header.value())));
        }
        return headers;
    }

    private static void awaitLeaders(String topic, int partitions) {
        try (var consumer = new org.apache.kafka.clients.consumer.KafkaConsumer<byte[], byte[]>(Map.of(
                "bootstrap.servers", kafka.bootstrapServers(),
                "key.deserializer", "org.apache.kafka.common.serialization.ByteArrayDeserializer",
                "value.deserializer", "org.apache.kafka.common.serialization.ByteArrayDeserializer"))) {
            Set<TopicPartition> all = new java.util.HashSet<>();
            for (int p = 0; p < partitions; p++) {
                all.add(new TopicPartition(topic, p));
            }
            Await.until(TIMEOUT, "leaders of " + topic, () -> consumer.endOffsets(all, Duration.ofSeconds(5))
                    .size() == partitions);
        }
    }

    private static String typeOf(JsonNode plugins, String className) {
        for (JsonNode plugin : plugins) {
            if (plugin.path("class").asText().equals(className)) {
                return plugin.path("type").asText();
            }
        }
        return null;
    }

    /** Field name to joined error messages, from PUT /connector-plugins/{class}/config/validate. */
    private static Map<String, String> validate(String className, Map<String, String> config) throws Exception {
        String path = "/connector-plugins/" + URLEncoder.encode(className, StandardCharsets.UTF_8)
                + "/config/validate";
        JsonNode result = JSON.readTree(send("PUT", path, JSON.writeValueAsString(config), 200));
        Map<String, String> errors = new TreeMap<>();
        for (JsonNode field : result.path("configs")) {
            JsonNode value = field.path("value");
            if (value.path("errors").size() > 0) {
                List<String> messages = new ArrayList<>();
                value.path("errors").forEach(message -> messages.add(message.asText()));
                errors.put(value.path("name").asText(), String.join("; ", messages));
            }
        }
        return errors;
    }

    private static String get(String path) throws IOException, InterruptedException {
        return send("GET", path, null, 200);
    }

    private static String safeGet(String path) {
        try {
            return send("GET", path, null, -1);
        } catch (Exception e) {
            return e.toString();
        }
    }

    private static void put(String path, Map<String, String> config) throws Exception {
        send("PUT", path, JSON.writeValueAsString(config), -1);
    }

    private static String send(String method, String path, String body, int expectedStatus)
            throws IOException, InterruptedException {
        URI uri = kafka.restUri(path);
        HttpRequest.Builder request = HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(60))
                .header("Content-Type", "application/json").header("Accept", "application/json");
        request.method(method, body == null ? HttpRequest.BodyPublishers.noBody()
                : HttpRequest.BodyPublishers.ofString(body));
        HttpResponse<String> response = HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
        boolean ok = expectedStatus < 0 ? response.statusCode() / 100 == 2 : response.statusCode() == expectedStatus;
        if (!ok) {
            throw new AssertionError(method + " " + uri + " answered " + response.statusCode() + ": "
                    + response.body() + "\n" + kafka.worker().logTail());
        }
        return response.body();
    }
}
