package dev.kbackup.config;

import dev.kbackup.storage.StorageConfigKeys;
import org.apache.kafka.common.config.Config;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigValue;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ConnectorValidationTest {

    @Test
    void anInvalidStorageFieldIsReportedOnItsOwnFieldOnly() {
        // Every storage field the ConfigDef rejects stops the combined check, not just the ones listed by hand once.
        for (Map.Entry<String, String> bad : Map.of("s3.retry.max.attempts", "0", "s3.api.call.timeout.ms", "0",
                "s3.part.size.bytes", "1").entrySet()) {
            Map<String, String> props = Map.of("storage.type", "s3", "s3.bucket", "backups", bad.getKey(),
                    bad.getValue());
            List<ConfigValue> fields = StorageConfigKeys.define(new ConfigDef()).validate(props);
            ConnectorValidation validation = ConnectorValidation.of(new Config(fields), props);

            assertTrue(validation.checkStorage().isEmpty(), bad.getKey());
            assertEquals(List.of(), errors(fields, "storage.type"), "nothing blamed on storage.type for "
                    + bad.getKey());
            assertEquals(1, errors(fields, bad.getKey()).size(), bad.getKey());
        }
    }

    @Test
    void serverSideEncryptionProblemsAreReportedOnTheFieldToChange() {
        Map<String, String> props = Map.of("storage.type", "s3", "s3.bucket", "backups", "s3.sse", "AES256",
                "s3.sse.kms.key.id", "alias/backups", "s3.sse.customer.key", "dG9vIHNob3J0");
        List<ConfigValue> fields = StorageConfigKeys.define(new ConfigDef()).validate(props);
        ConnectorValidation validation = ConnectorValidation.of(new Config(fields), props);

        assertTrue(validation.checkStorage().isEmpty());
        assertTrue(errors(fields, "s3.sse.kms.key.id").get(0).contains("s3.sse=aws:kms"),
                errors(fields, "s3.sse.kms.key.id").toString());
        List<String> keyErrors = errors(fields, "s3.sse.customer.key");
        assertEquals(2, keyErrors.size(), keyErrors.toString());
        assertTrue(keyErrors.stream().noneMatch(message -> message.contains("dG9vIHNob3J0")), "never echoes the key");
        assertEquals(List.of(), errors(fields, "s3.sse"));
    }

    private static List<String> errors(List<ConfigValue> fields, String name) {
        return fields.stream().filter(field -> field.name().equals(name)).findFirst().orElseThrow().errorMessages();
    }
}
