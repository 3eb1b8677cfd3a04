package dev.kbackup.storage;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigException;
import org.apache.kafka.common.config.ConfigValue;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class StorageConfigKeysTest {

    private static final List<String> ALL_KEYS = List.of("storage.type", "storage.prefix", "s3.bucket", "s3.region",
            "s3.endpoint", "s3.path.style.access", "s3.access.key.id", "s3.secret.access.key", "s3.part.size.bytes",
            "s3.conditional.writes", "s3.retry.max.attempts", "s3.retry.base.delay.ms", "s3.retry.max.backoff.ms",
            "s3.api.call.timeout.ms", "s3.sse", "s3.sse.kms.key.id", "s3.sse.customer.key",
            "s3.ssl.truststore.location", "s3.ssl.truststore.password", "s3.ssl.truststore.type", "filesystem.path");

    @TempDir
    Path temp;

    @Test
    void definesEveryStorageSettingDocumentedInTheStorageGroup() {
        ConfigDef def = StorageConfigKeys.define(new ConfigDef());
        assertEquals(ALL_KEYS, List.copyOf(def.configKeys().keySet()));
        for (ConfigDef.ConfigKey key : def.configKeys().values()) {
            assertEquals("Storage", key.group, key.name);
            assertTrue(key.documentation != null && key.documentation.length() > 60, key.name + ": "
                    + key.documentation);
        }
        assertEquals(ConfigDef.Type.PASSWORD, def.configKeys().get("s3.secret.access.key").type);
        assertEquals(ConfigDef.Type.PASSWORD, def.configKeys().get("s3.access.key.id").type);
        assertEquals(ConfigDef.Type.PASSWORD, def.configKeys().get("s3.sse.customer.key").type);
        assertEquals(ConfigDef.Type.PASSWORD, def.configKeys().get("s3.ssl.truststore.password").type);
        assertTrue(def.toHtml().contains("s3.conditional.writes"), "renders into the generated reference");
    }

    @Test
    void readsTypedSettingsWithSensibleDefaults() {
        StorageSettings settings = StorageSettings.parse(Map.of("s3.bucket", "backups"));

        assertEquals(StorageType.S3, settings.type());
        assertEquals("", settings.prefix());
        assertEquals("backups", settings.bucket());
        assertNull(settings.region());
        assertNull(settings.endpoint());
        assertFalse(settings.pathStyleAccess());
        assertFalse(settings.hasStaticCredentials());
        assertEquals(8 * 1024 * 1024, settings.partSizeBytes());
        assertEquals(ConditionalWriteMode.AUTO, settings.conditionalWrites());
        assertEquals(10, settings.retryMaxAttempts());
        assertEquals(Duration.ofMillis(100), settings.retryBaseDelay());
        assertEquals(Duration.ofSeconds(20), settings.retryMaxBackoff());
        assertEquals(Duration.ofMinutes(2), settings.apiCallTimeout());
        assertEquals(List.of(), settings.problems());
        assertEquals("s3://backups/", settings.location());
    }

    @Test
    void acceptsValuesInAnyCaseAndNormalizesThePrefix() {
        StorageSettings settings = StorageSettings.parse(Map.of("storage.type", " FileSystem ",
                "filesystem.path", temp.toString(), "storage.prefix", "prod/cluster-a", "s3.conditional.writes",
                "Disabled"));
        assertEquals(StorageType.FILESYSTEM, settings.type());
        assertEquals("prod/cluster-a/", settings.prefix());
        assertEquals(ConditionalWriteMode.DISABLED, settings.conditionalWrites());
        assertEquals(temp.resolve("prod/cluster-a"), settings.filesystemRoot());
        assertEquals(List.of(), settings.problems());
    }

    @Test
    void rejectsAnUnknownStorageTypeNamingTheChoices() {
        ConfigException e = assertThrows(ConfigException.class,
                () -> StorageSettings.parse(Map.of("storage.type", "gcs")));
        assertTrue(e.getMessage().contains("storage.type") && e.getMessage().contains("'s3', 'filesystem'"),
                e.getMessage());
    }

    @Test
    void rejectsPartsSmallerThanS3Allows() {
        ConfigException e = assertThrows(ConfigException.class,
                () -> StorageSettings.parse(Map.of("s3.bucket", "b", "s3.part.size.bytes", "1048576")));
        assertTrue(e.getMessage().contains("s3.part.size.bytes"), e.getMessage());
    }

    @Test
    void reportsProblemsThatNeedMoreThanOneField() throws Exception {
        Path file = Files.write(temp.resolve("a-file"), new byte[] {1});
        assertProblem(Map.of("storage.type", "s3"), "s3.bucket", "required");
        assertProblem(Map.of("s3.bucket", "s3://backups/x"), "s3.bucket", "not a bucket name");
        assertProblem(Map.of("s3.bucket", "b", "s3.access.key.id", "AKIA"), "s3.secret.access.key", "set both");
        assertProblem(Map.of("s3.bucket", "b", "s3.secret.access.key", "s"), "s3.access.key.id", "set both");
        assertProblem(Map.of("s3.bucket", "b", "s3.endpoint", "minio:9000"), "s3.endpoint", "http://");
        assertProblem(Map.of("s3.bucket", "b", "s3.retry.base.delay.ms", "500", "s3.retry.max.backoff.ms", "100"),
                "s3.retry.max.backoff.ms", "must not be smaller");
        assertProblem(Map.of("s3.bucket", "b", "storage.prefix", "/abs"), "storage.prefix", "must not start");
        assertProblem(Map.of("s3.bucket", "b", "storage.prefix", "a/../b"), "storage.prefix", "'..'");
        assertProblem(Map.of("storage.type", "filesystem"), "filesystem.path", "required");
        assertProblem(Map.of("storage.type", "filesystem", "filesystem.path", "backups"), "filesystem.path",
                "relative");
        assertProblem(Map.of("storage.type", "filesystem", "filesystem.path", temp + "/x/../y"), "filesystem.path",
                "'..'");
        assertProblem(Map.of("storage.type", "filesystem", "filesystem.path", file.toString()), "filesystem.path",
                "not a directory");
    }

    @Test
    void readsServerSideEncryptionAsS3SpellsItAndReportsBadCombinations() {
        String key = java.util.Base64.getEncoder().encodeToString(new byte[32]);
        assertEquals(S3ServerSideEncryption.NONE, StorageSettings.parse(Map.of("s3.bucket", "b"))
                .serverSideEncryption());
        S3ServerSideEncryption kms = StorageSettings.parse(Map.of("s3.bucket", "b", "s3.sse", "AWS:KMS",
                "s3.sse.kms.key.id", "alias/backups")).serverSideEncryption();
        assertEquals(S3ServerSideEncryption.Mode.AWS_KMS, kms.mode());
        assertEquals("alias/backups", kms.kmsKeyId());
        assertTrue(StorageSettings.parse(Map.of("s3.bucket", "b", "s3.sse.customer.key", key))
                .serverSideEncryption().usesCustomerKey());
        ConfigException unknown = assertThrows(ConfigException.class,
                () -> StorageSettings.parse(Map.of("s3.bucket", "b", "s3.sse", "kms")));
        assertTrue(unknown.getMessage().contains("'none', 'AES256', 'aws:kms'"), unknown.getMessage());

        assertProblem(Map.of("s3.bucket", "b", "s3.sse.kms.key.id", "alias/x"), "s3.sse.kms.key.id",
                "s3.sse=aws:kms");
        assertProblem(Map.of("s3.bucket", "b", "s3.sse", "AES256", "s3.sse.customer.key", key),
                "s3.sse.customer.key", "not both");
        assertProblem(Map.of("s3.bucket", "b", "s3.sse.customer.key", "not*base64"), "s3.sse.customer.key",
                "not valid base64");
        assertProblem(Map.of("s3.bucket", "b", "s3.sse.customer.key", "c2hvcnQ="), "s3.sse.customer.key",
                "decodes to 5 bytes");
    }

    @Test
    void neverShowsTheCustomerKey() {
        String key = java.util.Base64.getEncoder().encodeToString("kbackup-distinctive-sse-c-key-32".getBytes());
        StorageSettings settings = StorageSettings.parse(Map.of("s3.bucket", "b", "s3.sse.customer.key", key));
        assertFalse(settings.toString().contains(key), settings.toString());
        assertTrue(settings.toString().contains("SSE-C"), settings.toString());
        assertTrue(settings.problems().isEmpty(), settings.problems().toString());
    }

    @Test
    void openingSettingsWithProblemsFailsWithAConfigException() {
        ConfigException e = assertThrows(ConfigException.class,
                () -> ObjectStores.open(StorageSettings.parse(Map.of("storage.type", "filesystem"))));
        assertTrue(e.getMessage().contains("filesystem.path"), e.getMessage());
    }

    @Test
    void neverShowsTheCredentials() {
        StorageSettings settings = StorageSettings.parse(Map.of("s3.bucket", "b",
                "s3.access.key.id", "AKIAEXAMPLEKEYID", "s3.secret.access.key", "wJalrXUtnFEMI-very-secret"));
        assertTrue(settings.hasStaticCredentials());
        String text = settings.toString();
        assertFalse(text.contains("AKIAEXAMPLEKEYID") || text.contains("very-secret"), text);
        assertTrue(text.contains("static key pair"), text);
    }

    @Test
    void connectValidationShowsOnlyTheSettingsOfTheChosenType() {
        Map<String, String> props = new HashMap<>();
        props.put("storage.type", "filesystem");
        props.put("filesystem.path", temp.toString());
        Map<String, ConfigValue> values = StorageConfigKeys.define(new ConfigDef()).validate(props).stream()
                .collect(Collectors.toMap(ConfigValue::name, v -> v));
        assertTrue(values.values().stream().allMatch(v -> v.errorMessages().isEmpty()), values.toString());
        assertTrue(values.get("filesystem.path").visible());
        assertFalse(values.get("s3.bucket").visible());

        props.put("storage.type", "tape");
        values = StorageConfigKeys.define(new ConfigDef()).validate(props).stream()
                .collect(Collectors.toMap(ConfigValue::name, v -> v));
        assertEquals(1, values.get("storage.type").errorMessages().size());
    }

    private static void assertProblem(Map<String, String> props, String name, String messagePart) {
        List<ConfigProblem> problems = StorageSettings.parse(props).problems();
        assertTrue(problems.stream().anyMatch(p -> p.name().equals(name) && p.message().contains(messagePart)),
                props + " should report " + name + " ~ '" + messagePart + "' but reported " + problems);
    }
}
