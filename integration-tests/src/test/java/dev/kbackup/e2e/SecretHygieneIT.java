package dev.kbackup.e2e;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.kbackup.format.EncryptionKeys;
import dev.kbackup.layout.BackupLayout;
import dev.kbackup.restore.RestoreSourceConnector;
import dev.kbackup.sink.BackupSinkConnector;
import dev.kbackup.storage.ObjectInfo;
import dev.kbackup.storage.ObjectStore;
import dev.kbackup.storage.ObjectStores;
import dev.kbackup.storage.StorageSettings;
import dev.kbackup.testing.Await;
import dev.kbackup.testing.BackupConnectorConfig;
import dev.kbackup.testing.BackupContents;
import dev.kbackup.testing.ConnectClusters;
import dev.kbackup.testing.FaultInjectingProxy;
import dev.kbackup.testing.KafkaTestData;
import dev.kbackup.testing.RestoreConnectorConfig;
import dev.kbackup.testing.S3ProxyFixture;
import dev.kbackup.testing.TestCertificates;
import org.apache.logging.log4j.Level;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.core.LoggerContext;
import org.apache.logging.log4j.core.appender.WriterAppender;
import org.apache.logging.log4j.core.config.Configuration;
import org.apache.logging.log4j.core.config.Configurator;
import org.apache.logging.log4j.core.layout.PatternLayout;
import org.apache.kafka.connect.util.clusters.EmbeddedConnectCluster;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.StringWriter;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Secrets never show: connectors are given distinctive secrets (S3 key pair, trust store password, a SASL password in
 * cluster.*, and the encryption keys), run a backup, a restore, validation failures and storage failures, and then
 * the worker's log, the REST responses and every stored object are searched for those secrets.
 *
 * <p>What Connect itself shows is out of our hands: {@code GET /connectors/{name}/config} returns what the user posted,
 * and {@code GET /connectors/{name}/tasks} (and the response to the PUT) the task configs derived from it, so a secret
 * posted literally is in those. A secret given through a config provider is not: the restore here takes its secrets
 * from Kafka's FileConfigProvider, and for it every response is searched, config and task configs included. For the
 * connectors posted with literal secrets, the status, validation and task status responses are searched.
 */
class SecretHygieneIT {

    private static final Duration TIMEOUT = Duration.ofSeconds(120);
    private static final String TOPIC = "accounts";
    private static final int RECORDS = 600;

    private static final String ACCESS_KEY = "AKIAHYGIENE7F3A9C1D";
    private static final String SECRET_KEY = "hygiene-secret-8b1e44d2c7";
    private static final String TRUST_PASSWORD = "hygiene-trust-55c1e0";
    private static final String SASL_PASSWORD = "hygiene-sasl-9d2e71";
    private static final String WRONG_TRUST_PASSWORD = "hygiene-wrong-trust-41aa";
    private static final String WRONG_SECRET_KEY = "hygiene-wrong-secret-e5f6";
    private static final String WRONG_ACCESS_KEY = "AKIAHYGIENEWRONG0B7E";
    // keys in the form the encryption settings take (base64 of 256 bits), so they stay valid once those exist
    private static final String SSE_CUSTOMER_KEY = base64Key("hygiene SSE-C customer key 32 b!");
    private static final String ENCRYPTION_KEY = base64Key("hygiene current encryption key!!");
    private static final String PREVIOUS_KEY = base64Key("hygiene previous encryption key!");
    private static final List<String> SECRETS = List.of(ACCESS_KEY, SECRET_KEY, TRUST_PASSWORD, SASL_PASSWORD,
            WRONG_TRUST_PASSWORD, WRONG_SECRET_KEY, WRONG_ACCESS_KEY, SSE_CUSTOMER_KEY, ENCRYPTION_KEY, PREVIOUS_KEY);

    private static final StringWriter LOG = new StringWriter();
    private static final List<RestExchange> EXCHANGES = new ArrayList<>();
    private static final ObjectMapper JSON = new ObjectMapper();

    private static Path directory;
    private static Path trustStore;
    private static Path secretsFile;
    private static S3ProxyFixture s3;
    private static FaultInjectingProxy faults;
    private static EmbeddedConnectCluster connect;
    private static HttpClient http;
    private static String bootstrap;

    /** One REST call; {@code echoesPostedConfig} for the calls whose answer is Connect's copy of a literal config. */
    private record RestExchange(String call, int status, String body, boolean echoesPostedConfig) {
    }

    @BeforeAll
    static void start() throws Exception {
        captureLog();
        directory = Files.createTempDirectory("kbackup-hygiene");
        TestCertificates ca = TestCertificates.create(directory);
        trustStore = ca.trustStore("trust.jks", "JKS", TRUST_PASSWORD);
        s3 = S3ProxyFixture.startWithTls(ca.serverKeyStore("s3", "ip:127.0.0.1"), TestCertificates.PASSWORD,
                ACCESS_KEY, SECRET_KEY);
        faults = FaultInjectingProxy.start(s3.endpoint());
        secretsFile = directory.resolve("secrets.properties");
        Properties secrets = new Properties();
        secrets.setProperty("access", ACCESS_KEY);
        secrets.setProperty("secret", SECRET_KEY);
        secrets.setProperty("trust", TRUST_PASSWORD);
        secrets.setProperty("jaas", jaas(SASL_PASSWORD));
        secrets.setProperty("key", ENCRYPTION_KEY);
        secrets.setProperty("previous", "old:" + PREVIOUS_KEY);
        try (var out = Files.newBufferedWriter(secretsFile)) {
            secrets.store(out, null);
        }
        connect = ConnectClusters.start("hygiene-it", 1, Map.of("config.providers", "file",
                "config.providers.file.class", "org.apache.kafka.common.config.provider.FileConfigProvider"));
        bootstrap = connect.kafka().bootstrapServers();
        logLevels();
        http = HttpClient.newHttpClient();
        ConnectClusters.createTopic(connect, TOPIC, 2, Map.of());
        KafkaTestData.produceMixed(bootstrap, TOPIC, 2, RECORDS, 77);
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
        LoggerContext context = (LoggerContext) LogManager.getContext(false);
        context.getConfiguration().getRootLogger().removeAppender("hygiene");
        context.updateLoggers();
    }

    @Test
    void noSecretShowsInTheLogTheRestResponsesOrTheStoredObjects() throws Exception {
        Path stateDir = directory.resolve("state");
        backUp(stateDir);
        restoreThroughAConfigProvider();
        failValidations();
        failStorage(stateDir);

        List<String> hits = new ArrayList<>();
        String log = LOG.toString();
        // kept for reading when this test fails
        Files.writeString(Path.of("target", "secret-hygiene-worker.log"), log);
        assertTrue(log.contains("hygiene-backup") && log.contains("hygiene-restore"), "the log was captured");
        SECRETS.forEach(secret -> find(secret, log, "the worker log", hits));
        int searched = 0;
        for (RestExchange exchange : EXCHANGES) {
            if (!exchange.echoesPostedConfig()) {
                searched++;
                SECRETS.forEach(secret -> find(secret, exchange.body(), exchange.call(), hits));
            }
        }
        assertTrue(searched > 20, "REST responses searched: " + searched);
        // the search finds what is there: Connect's echo of a config posted with literal secrets holds them
        List<String> echoed = new ArrayList<>();
        EXCHANGES.stream().filter(RestExchange::echoesPostedConfig)
                .forEach(exchange -> find(SECRET_KEY, exchange.body(), exchange.call(), echoed));
        assertEquals(2, echoed.size(), "Connect echoes the literal secret key of both literally posted connectors");
        int objects = 0;
        ObjectStore store = s3.store();
        for (Iterator<ObjectInfo> it = store.list("", null); it.hasNext(); ) {
            ObjectInfo object = it.next();
            byte[] bytes = store.readIfExists(object.key()).orElse(new byte[0]);
            String text = new String(bytes, StandardCharsets.ISO_8859_1);
            SECRETS.forEach(secret -> find(secret, text, "object " + object.key(), hits));
            for (String key : List.of(SSE_CUSTOMER_KEY, ENCRYPTION_KEY, PREVIOUS_KEY)) {
                find(new String(Base64.getDecoder().decode(key), StandardCharsets.ISO_8859_1), text,
                        "object " + object.key() + " (raw key bytes)", hits);
            }
            objects++;
        }
        assertTrue(objects > 5, "stored objects searched: " + objects);
        try (Stream<Path> files = Files.walk(stateDir)) {
            for (Path file : files.filter(Files::isRegularFile).toList()) {
                String text = new String(Files.readAllBytes(file), StandardCharsets.ISO_8859_1);
                SECRETS.forEach(secret -> find(secret, text, "state file " + file, hits));
            }
        }
        assertEquals(List.of(), hits, "secrets found");
    }

    /** A backup over https with every secret posted literally. */
    private static void backUp(Path stateDir) {
        Map<String, String> config = withLiteralSecrets(BackupConnectorConfig.of(BackupSinkConnector.class,
                        "hygiene", TOPIC)
                .minimumPartSize()
                .storage(https())
                .prefix("hygiene")
                .tasks(2)
                .stateDir(stateDir.resolve("backup"))
                .cluster(bootstrap)
                .build());
        putConnector("hygiene-backup", config, true);
        Map<String, String> storage = new HashMap<>(s3.connectorConfig());
        storage.put("storage.prefix", "hygiene");
        ObjectStore store = ObjectStores.open(StorageSettings.parse(storage));
        BackupLayout layout = new BackupLayout("hygiene");
        Await.until(TIMEOUT, "the backup to hold every record", () -> {
            status("hygiene-backup");
            // the backup encrypts with the literal key it was given, so it is read with that key
            return BackupContents.read(store, layout, EncryptionKeys.of("current",
                    Map.of("current", Base64.getDecoder().decode(ENCRYPTION_KEY)))).recordCount() >= RECORDS;
        });
        delete("hygiene-backup");
        Await.until(TIMEOUT, "the manifest", () -> store.stat(layout.manifestKey()).isPresent());
        store.close();
    }

    /** The restore of that backup, its secrets read from a file by the worker's FileConfigProvider. */
    private static void restoreThroughAConfigProvider() {
        Map<String, String> config = new HashMap<>(RestoreConnectorConfig.of(RestoreSourceConnector.class, "hygiene")
                .storage(https())
                .prefix("hygiene")
                .topicMapping(TOPIC + ":" + TOPIC + "-restored")
                .createTopics()
                .cluster(bootstrap)
                .build());
        config.put("s3.access.key.id", provided("access"));
        config.put("s3.secret.access.key", provided("secret"));
        config.put("s3.ssl.truststore.location", trustStore.toString());
        config.put("s3.ssl.truststore.password", provided("trust"));
        config.put("cluster.sasl.jaas.config", provided("jaas"));
        config.put("encryption.key", provided("key"));
        config.put("encryption.key.id", "current");
        config.put("encryption.previous.keys", provided("previous"));
        putConnector("hygiene-restore", config, false);
        Await.until(TIMEOUT, "the restore of every record", () -> {
            status("hygiene-restore");
            return ConnectClusters.readAll(bootstrap, TOPIC + "-restored", true, TIMEOUT).size() >= RECORDS;
        });
        rest("GET", "connectors/hygiene-restore/config", null, false);
        rest("GET", "connectors/hygiene-restore/tasks", null, false);
        rest("GET", "connectors/hygiene-restore/tasks/0/status", null, false);
        delete("hygiene-restore");
    }

    /** Configs that fail validation, each with every secret posted literally. */
    private static void failValidations() throws IOException {
        Map<String, String> wrongTrustPassword = withLiteralSecrets(BackupConnectorConfig.of(
                        BackupSinkConnector.class, "hygiene-invalid", TOPIC)
                .storage(https()).prefix("hygiene").stateDir(directory.resolve("state/invalid")).cluster(bootstrap)
                .build());
        wrongTrustPassword.put("s3.ssl.truststore.password", WRONG_TRUST_PASSWORD);
        wrongTrustPassword.put("s3.sse.customer.key", SSE_CUSTOMER_KEY);
        assertValidationError(BackupSinkConnector.class, wrongTrustPassword, "s3.ssl.truststore.password");

        Map<String, String> wrongSecret = withLiteralSecrets(BackupConnectorConfig.of(BackupSinkConnector.class,
                        "hygiene-invalid", TOPIC)
                .storage(https()).prefix("hygiene").stateDir(directory.resolve("state/invalid")).cluster(bootstrap)
                .build());
        wrongSecret.put("s3.secret.access.key", WRONG_SECRET_KEY);
        wrongSecret.put("s3.sse.customer.key", SSE_CUSTOMER_KEY);
        assertValidationError(BackupSinkConnector.class, wrongSecret, "s3.bucket");
        wrongSecret.put("s3.access.key.id", WRONG_ACCESS_KEY);
        assertValidationError(BackupSinkConnector.class, wrongSecret, "s3.bucket");

        // the https endpoint without the trust store: the storage check names the endpoint and what to set
        Map<String, String> untrusted = withLiteralSecrets(RestoreConnectorConfig.of(RestoreSourceConnector.class,
                        "hygiene")
                .storage(https()).prefix("hygiene").topicMapping(TOPIC + ":" + TOPIC + "-copy").cluster(bootstrap)
                .build());
        untrusted.remove("s3.ssl.truststore.location");
        untrusted.remove("s3.ssl.truststore.password");
        untrusted.put("s3.retry.max.attempts", "2");
        untrusted.put("s3.sse.customer.key", SSE_CUSTOMER_KEY);
        String message = assertValidationError(RestoreSourceConnector.class, untrusted, "s3.bucket");
        assertTrue(message.contains(s3.secureEndpoint().toString()), message);
        assertTrue(message.contains("s3.ssl.truststore.location"), message);

        Map<String, String> noSuchBackup = withLiteralSecrets(RestoreConnectorConfig.of(
                        RestoreSourceConnector.class, "hygiene-missing")
                .storage(https()).prefix("hygiene").cluster(bootstrap).build());
        assertValidationError(RestoreSourceConnector.class, noSuchBackup, "backup.id");
    }

    /** A backup whose storage fails with 500s, then 403s, through the fault-injecting proxy. */
    private static void failStorage(Path stateDir) {
        Map<String, String> config = withLiteralSecrets(BackupConnectorConfig.of(BackupSinkConnector.class,
                        "hygiene-faulty", TOPIC)
                .minimumPartSize()
                .storage(s3.connectorConfig(faults.endpoint()))
                .prefix("hygiene-faulty")
                .s3Retry(2, 10)
                .storageRecovery(200, 100)
                .stateDir(stateDir.resolve("faulty"))
                .cluster(bootstrap)
                .build());
        config.put("s3.ssl.truststore.location", trustStore.toString());
        putConnector("hygiene-faulty", config, true);
        Await.until(TIMEOUT, "the faulty backup to store something", () -> {
            status("hygiene-faulty");
            return faults.requestsSeen() > 3;
        });
        // a failing store, then one that refuses the credentials: the circuit's probes keep meeting each
        for (int status : new int[] {500, 403}) {
            int logged = LOG.getBuffer().length();
            faults.failAll(status);
            KafkaTestData.produceMixed(bootstrap, TOPIC, 2, 20, 78 + status);
            Await.until(TIMEOUT, "HTTP " + status + " storage failures to be logged", () -> {
                if (status("hygiene-faulty").contains("FAILED")) {
                    // a task that failed on the previous fault sends nothing more until restarted
                    rest("POST", "connectors/hygiene-faulty/restart?includeTasks=true&onlyFailed=true", null,
                            false);
                }
                return LOG.getBuffer().indexOf("HTTP " + status, logged) >= 0;
            });
        }
        status("hygiene-faulty");
        rest("GET", "connectors/hygiene-faulty/tasks/0/status", null, false);
        faults.heal();
        delete("hygiene-faulty");
    }

    /**
     * The literal secrets every connector gets: TLS, SASL in cluster.*, and the client-side encryption settings.
     * The SSE-C key goes only into configs that fail validation before storage is asked ({@link #failValidations}):
     * S3Proxy is not known to implement SSE-C, so a connector that used it would fail for that reason.
     */
    private static Map<String, String> withLiteralSecrets(Map<String, String> config) {
        Map<String, String> all = new LinkedHashMap<>(config);
        all.put("s3.ssl.truststore.location", trustStore.toString());
        all.put("s3.ssl.truststore.password", TRUST_PASSWORD);
        all.put("cluster.sasl.jaas.config", jaas(SASL_PASSWORD));
        all.put("encryption.key", ENCRYPTION_KEY);
        all.put("encryption.key.id", "current");
        all.put("encryption.previous.keys", "old:" + PREVIOUS_KEY);
        return all;
    }

    private static Map<String, String> https() {
        return s3.connectorConfig(s3.secureEndpoint());
    }

    private static String assertValidationError(Class<?> connector, Map<String, String> config, String key)
            throws IOException {
        Map<String, String> named = new HashMap<>(config);
        named.put("name", "hygiene-validation");
        String body = rest("PUT", "connector-plugins/" + connector.getSimpleName() + "/config/validate",
                JSON.writeValueAsString(named), false);
        JsonNode result = JSON.readTree(body);
        for (JsonNode info : result.get("configs")) {
            JsonNode value = info.get("value");
            if (value.get("name").asText().equals(key) && !value.get("errors").isEmpty()) {
                return value.get("errors").toString();
            }
        }
        throw new AssertionError("expected a validation error on " + key + ": " + body);
    }

    private static void putConnector(String name, Map<String, String> config, boolean literalSecrets) {
        try {
            String body = rest("PUT", "connectors/" + name + "/config", JSON.writeValueAsString(config),
                    literalSecrets);
            assertTrue(body.contains("\"name\""), body);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    private static String status(String connector) {
        return rest("GET", "connectors/" + connector + "/status", null, false);
    }

    private static void delete(String connector) {
        rest("DELETE", "connectors/" + connector, null, false);
    }

    private static synchronized String rest(String method, String resource, String json, boolean echoesConfig) {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(connect.endpointForResource(resource)))
                .timeout(TIMEOUT)
                .header("Content-Type", "application/json")
                .method(method, json == null ? HttpRequest.BodyPublishers.noBody()
                        : HttpRequest.BodyPublishers.ofString(json));
        try {
            HttpResponse<String> response = http.send(request.build(), HttpResponse.BodyHandlers.ofString());
            EXCHANGES.add(new RestExchange(method + " " + resource, response.statusCode(), response.body(),
                    echoesConfig));
            return response.body();
        } catch (IOException e) {
            throw new IllegalStateException(method + " " + resource + " failed", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private static void find(String secret, String text, String where, List<String> hits) {
        if (text != null && text.contains(secret)) {
            int at = text.indexOf(secret);
            hits.add(where + ": ..." + text.substring(Math.max(0, at - 300), Math.min(text.length(),
                    at + secret.length() + 100)) + "...");
        }
    }

    private static String provided(String key) {
        return "${file:" + secretsFile + ":" + key + "}";
    }

    private static String jaas(String password) {
        return "org.apache.kafka.common.security.plain.PlainLoginModule required username=\"hygiene\" password=\""
                + password + "\";";
    }

    private static String base64Key(String thirtyTwoBytes) {
        byte[] bytes = thirtyTwoBytes.getBytes(StandardCharsets.US_ASCII);
        if (bytes.length != 32) {
            throw new IllegalArgumentException("a 256-bit key needs 32 bytes, not " + bytes.length);
        }
        return Base64.getEncoder().encodeToString(bytes);
    }

    /** Everything this JVM logs (the worker's log) goes to {@link #LOG}, kbackup's own loggers at TRACE. */
    private static void captureLog() {
        LoggerContext context = (LoggerContext) LogManager.getContext(false);
        Configuration configuration = context.getConfiguration();
        WriterAppender appender = WriterAppender.newBuilder()
                .setName("hygiene")
                .setTarget(LOG)
                .setLayout(PatternLayout.newBuilder().withPattern("%d %p [%t] %c - %m%n%throwable").build())
                .build();
        appender.start();
        configuration.addAppender(appender);
        configuration.getRootLogger().addAppender(appender, Level.ALL, null);
        context.updateLoggers();
        logLevels();
    }

    /** INFO from Kafka and Connect (what a worker logs by default), everything from kbackup. */
    private static void logLevels() {
        Configurator.setRootLevel(Level.INFO);
        Configurator.setLevel("org.apache.kafka", Level.INFO);
        Configurator.setLevel("dev.kbackup", Level.TRACE);
    }
}
