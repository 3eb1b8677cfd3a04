package dev.kbackup.packaging;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.kbackup.format.Codec;
import dev.kbackup.format.SegmentInfo;
import dev.kbackup.layout.BackupCatalog;
import dev.kbackup.layout.BackupLayout;
import dev.kbackup.layout.PartitionIndex;
import dev.kbackup.layout.SourceCluster;
import dev.kbackup.restore.RestoreSourceConnector;
import dev.kbackup.sink.BackupSinkConnector;
import dev.kbackup.storage.ObjectStore;
import dev.kbackup.storage.ObjectStores;
import dev.kbackup.testing.S3ProxyFixture;
import org.apache.kafka.common.config.Config;
import org.apache.kafka.common.config.ConfigValue;
import org.apache.kafka.common.config.provider.EnvVarConfigProvider;
import org.apache.kafka.common.config.provider.FileConfigProvider;
import org.apache.kafka.connect.connector.Connector;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Every example parses, and every connector config in examples/ (REST JSON and Strimzi KafkaConnector YAML) passes
 * its connector's validate() against a real S3 API. Only what cannot hold offline is substituted, the way a worker
 * would see it: the storage endpoint and bucket (AWS, MinIO, Ceph hosts are not reachable here) become S3Proxy's,
 * config-provider placeholders (${file:...}, ${env:...}, ${secrets:...}) are resolved to S3Proxy's credentials,
 * examples that rely on the AWS default credential chain get S3Proxy's keys (no AWS credentials exist offline),
 * and a filesystem path becomes a temporary directory. The restore examples find a backup catalog seeded here.
 */
class ExamplesTest {

    private static final Path EXAMPLES = RepoPaths.root().resolve("examples");
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());
    /** A well-formed 256-bit key in base64, standing in for a key file's value. */
    private static final String OFFLINE_KEY = "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=";

    private static S3ProxyFixture s3;
    @TempDir
    static Path filesystemRoot;

    @BeforeAll
    static void start() throws Exception {
        s3 = S3ProxyFixture.start();
    }

    @AfterAll
    static void stop() {
        if (s3 != null) {
            s3.close();
        }
    }

    @TestFactory
    Stream<DynamicTest> everyConnectorConfigPassesValidate() throws IOException {
        List<DynamicTest> tests = new ArrayList<>();
        for (Map.Entry<String, Map<String, String>> example : connectorConfigs().entrySet()) {
            tests.add(DynamicTest.dynamicTest(example.getKey(), () -> {
                Map<String, String> config = offline(example.getValue());
                seedBackupFor(config);
                Connector connector = config.get("connector.class").equals(BackupSinkConnector.class.getName())
                        ? new BackupSinkConnector() : new RestoreSourceConnector();
                assertEquals(Map.of(), errors(connector.validate(config)), example.getKey() + " validates");
            }));
        }
        assertTrue(tests.size() >= 10, "found the connector examples: " + tests.size());
        return tests.stream();
    }

    @Test
    void everyBackupAndRestoreUseCaseHasAnExample() throws IOException {
        Map<String, Map<String, String>> configs = connectorConfigs();
        assertTrue(configs.values().stream().anyMatch(c -> "s3".equals(c.get("storage.type"))
                && !c.containsKey("s3.endpoint") && !c.containsKey("s3.access.key.id")), "AWS default chain");
        assertTrue(configs.values().stream().anyMatch(c -> "true".equals(c.get("s3.path.style.access"))
                && c.getOrDefault("s3.endpoint", "").contains("minio")), "MinIO");
        assertTrue(configs.values().stream().anyMatch(c -> c.getOrDefault("s3.endpoint", "").contains("rgw")),
                "Ceph RGW");
        assertTrue(configs.values().stream().anyMatch(c -> c.values().stream().anyMatch(v -> v.startsWith("${file:")))
                && configs.values().stream().anyMatch(c -> c.values().stream().anyMatch(v -> v.startsWith("${env:"))),
                "config providers");
        assertTrue(configs.values().stream().anyMatch(c -> c.containsKey("restore.time.start")), "point in time");
        assertTrue(configs.values().stream().anyMatch(c -> c.containsKey("encryption.key")
                && c.get("connector.class").endsWith("BackupSinkConnector"))
                && configs.values().stream().anyMatch(c -> c.containsKey("encryption.previous.keys")
                && c.get("connector.class").endsWith("RestoreSourceConnector")), "client-side encryption");
        assertTrue(configs.values().stream().anyMatch(c -> c.containsKey("topic.mapping")), "renamed topics");
        assertTrue(configs.values().stream().anyMatch(c -> "required".equals(c.get("exactly.once.support"))),
                "exactly-once restore");
    }

    @Test
    void strimziConnectClusterBuildsThePluginZipIn() throws IOException {
        JsonNode connect = YAML.readTree(EXAMPLES.resolve("strimzi/kafka-connect.yaml").toFile());
        assertEquals("KafkaConnect", connect.path("kind").asText());
        JsonNode artifact = connect.path("spec").path("build").path("plugins").path(0).path("artifacts").path(0);
        assertEquals("zip", artifact.path("type").asText());
        assertTrue(artifact.path("url").asText().matches(".*/kbackup-kafka-connect-backup-[^/]+\\.zip"),
                artifact.toString());
        JsonNode config = connect.path("spec").path("config");
        assertEquals("enabled", config.path("exactly.once.source.support").asText());
        assertEquals("All", config.path("connector.client.config.override.policy").asText());
        assertEquals("true", connect.path("metadata").path("annotations")
                .path("strimzi.io/use-connector-resources").asText());
    }

    @Test
    void workerExamplesConfigureRealConfigProviders() throws IOException {
        Properties providers = properties("worker/config-providers.properties");
        try (FileConfigProvider file = new FileConfigProvider();
             EnvVarConfigProvider env = new EnvVarConfigProvider()) {
            assertEquals(FileConfigProvider.class.getName(), providers.getProperty("config.providers.file.class"));
            assertEquals(EnvVarConfigProvider.class.getName(), providers.getProperty("config.providers.env.class"));
            // the example's directory does not exist here, and the provider insists that it does
            assertTrue(providers.containsKey("config.providers.file.param." + FileConfigProvider.ALLOWED_PATHS_CONFIG));
            file.configure(Map.of(FileConfigProvider.ALLOWED_PATHS_CONFIG, filesystemRoot.toString()));
            env.configure(Map.of(EnvVarConfigProvider.ALLOWLIST_PATTERN_CONFIG,
                    providers.getProperty("config.providers.env.param."
                            + EnvVarConfigProvider.ALLOWLIST_PATTERN_CONFIG)));
        }
        assertEquals("enabled", properties("worker/exactly-once-source.properties")
                .getProperty("exactly.once.source.support"));
        Properties worker = properties("worker/connect-distributed.properties");
        assertEquals("service_load", worker.getProperty("plugin.discovery"));
        assertEquals("All", worker.getProperty("connector.client.config.override.policy"));
    }

    @Test
    void dockerfileLayersTheBuiltTarballOntoAKafkaImage() throws IOException {
        String dockerfile = Files.readString(EXAMPLES.resolve("docker/Dockerfile"));
        assertTrue(dockerfile.contains("FROM ${KAFKA_IMAGE}"), dockerfile);
        assertTrue(dockerfile.contains("ADD packaging/target/kbackup-${KBACKUP_VERSION}.tar.gz /opt/kafka/plugins/"),
                dockerfile);
        assertTrue(dockerfile.contains("Not built by this repository's build or CI"), dockerfile);
        for (String copied : new String[] {"examples/docker/connect-distributed.properties",
            "examples/docker/start-connect.sh"}) {
            assertTrue(Files.exists(RepoPaths.root().resolve(copied)), copied);
        }
    }

    /** Every connector config in examples/, keyed by file (and resource name). */
    static Map<String, Map<String, String>> connectorConfigs() throws IOException {
        Map<String, Map<String, String>> configs = new TreeMap<>();
        try (Stream<Path> files = Files.walk(EXAMPLES)) {
            for (Path file : files.filter(Files::isRegularFile).toList()) {
                String name = EXAMPLES.relativize(file).toString();
                if (name.endsWith(".json")) {
                    JsonNode node = JSON.readTree(file.toFile());
                    JsonNode config = node.has("config") ? node.get("config") : node;
                    if (config.has("connector.class")) {
                        configs.put(name, strings(config));
                    }
                } else if (name.endsWith(".yaml") || name.endsWith(".yml")) {
                    for (JsonNode document : YAML.readValues(YAML.createParser(file.toFile()), JsonNode.class)
                            .readAll()) {
                        if ("KafkaConnector".equals(document.path("kind").asText())) {
                            JsonNode spec = document.path("spec");
                            Map<String, String> config = strings(spec.path("config"));
                            config.put("connector.class", spec.path("class").asText());
                            config.put("tasks.max", spec.path("tasksMax").asText());
                            configs.put(name + "#" + document.path("metadata").path("name").asText(), config);
                        }
                    }
                }
            }
        }
        return configs;
    }

    /** What the worker would hand validate() here: placeholders resolved, unreachable storage replaced. */
    private static Map<String, String> offline(Map<String, String> example) {
        Map<String, String> config = new HashMap<>(example);
        config.replaceAll((key, value) -> value.startsWith("${") ? resolvePlaceholder(key) : value);
        if ("s3".equals(config.getOrDefault("storage.type", "s3"))) {
            config.put("s3.endpoint", s3.endpoint().toString());
            config.put("s3.path.style.access", "true");
            config.put("s3.bucket", s3.bucket());
            config.putIfAbsent("s3.access.key.id", s3.accessKey());
            config.putIfAbsent("s3.secret.access.key", s3.secretKey());
        } else {
            config.put("filesystem.path", filesystemRoot.resolve("backups").toString());
        }
        config.computeIfPresent("state.dir", (key, value) -> filesystemRoot.resolve("state").toString());
        return config;
    }

    private static String resolvePlaceholder(String key) {
        return switch (key) {
            case "s3.access.key.id" -> s3.accessKey();
            case "s3.secret.access.key" -> s3.secretKey();
            case "s3.bucket" -> s3.bucket();
            case "s3.endpoint" -> s3.endpoint().toString();
            case "encryption.key" -> OFFLINE_KEY;
            case "encryption.key.id" -> "offline";
            case "encryption.previous.keys" -> "older:" + OFFLINE_KEY;
            default -> throw new AssertionError("no offline value for the placeholder of " + key);
        };
    }

    /** A restore validates against the backup's catalog: give it one with the example topics. */
    private static void seedBackupFor(Map<String, String> config) {
        if (!config.get("connector.class").equals(RestoreSourceConnector.class.getName())) {
            return;
        }
        Map<String, String> storage = new HashMap<>(config);
        try (ObjectStore store = ObjectStores.open(dev.kbackup.storage.StorageSettings.parse(storage))) {
            BackupLayout layout = new BackupLayout(config.get("backup.id"));
            BackupCatalog catalog = new BackupCatalog(store, layout);
            Instant now = Instant.now();
            List<PartitionIndex> indexes = new ArrayList<>();
            Map<String, Integer> topics = Map.of("orders", 6, "payments", 3);
            long from = Instant.parse("2026-11-22T00:00:00Z").toEpochMilli();
            long to = Instant.parse("2026-11-24T00:00:00Z").toEpochMilli();
            topics.forEach((topic, partitions) -> {
                for (int partition = 0; partition < partitions; partition++) {
                    SegmentInfo segment = new SegmentInfo(layout.segmentKey(topic, partition, 0, Codec.ZSTD), topic,
                            partition, Codec.ZSTD, 0, 999, 1000, from, to, 100_000, 500_000, 0, 1, 0);
                    indexes.add(catalog.publishIndex(new PartitionIndex(topic, partition, now, List.of(segment)),
                            now));
                }
            });
            catalog.publishManifest(indexes, SourceCluster.UNKNOWN, now);
        }
    }

    private static Map<String, String> errors(Config result) {
        Map<String, String> errors = new TreeMap<>();
        for (ConfigValue value : result.configValues()) {
            if (!value.errorMessages().isEmpty()) {
                errors.put(value.name(), String.join("; ", value.errorMessages()));
            }
        }
        return errors;
    }

    private static Map<String, String> strings(JsonNode object) {
        Map<String, String> map = new HashMap<>();
        object.properties().forEach(field -> map.put(field.getKey(), field.getValue().asText()));
        assertFalse(map.isEmpty(), "config is not empty");
        return map;
    }

    private static Properties properties(String name) throws IOException {
        Properties properties = new Properties();
        try (InputStream in = Files.newInputStream(EXAMPLES.resolve(name))) {
            properties.load(in);
        }
        return properties;
    }
}
