package dev.kbackup.config;

import dev.kbackup.encryption.EncryptionConfigKeys;
import dev.kbackup.layout.BackupLayout;
import dev.kbackup.storage.ConfigProblem;
import dev.kbackup.storage.ObjectStore;
import dev.kbackup.storage.ObjectStores;
import dev.kbackup.storage.StorageConfigKeys;
import dev.kbackup.storage.StorageProbe;
import dev.kbackup.storage.StorageSettings;
import dev.kbackup.storage.StorageType;
import org.apache.kafka.common.config.AbstractConfig;
import org.apache.kafka.common.config.Config;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigValue;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;

/**
 * The checks both connectors add to the per-field results of their ConfigDef in {@code validate()}, each reported
 * on the field the user has to change: backup id, converters, storage settings that only fail together, and a
 * probe write to storage. Connect's REST API shows them at {@code PUT /connector-plugins/{class}/config/validate}.
 */
public final class ConnectorValidation {

    public static final String BYTE_ARRAY_CONVERTER = "org.apache.kafka.connect.converters.ByteArrayConverter";
    public static final List<String> CONVERTER_KEYS = List.of("key.converter", "value.converter", "header.converter");

    private static final Set<String> STORAGE_KEYS = StorageConfigKeys.define(new ConfigDef()).names();
    private static final Set<String> ENCRYPTION_KEYS = EncryptionConfigKeys.define(new ConfigDef()).names();

    private final Map<String, ConfigValue> values = new LinkedHashMap<>();
    private final List<ConfigValue> extra = new ArrayList<>();
    private final Map<String, String> props;

    private ConnectorValidation(Config fieldResults, Map<String, String> props) {
        fieldResults.configValues().forEach(value -> values.put(value.name(), value));
        this.props = props;
    }

    /** Starts from the framework's per-field results ({@code super.validate(props)}). */
    public static ConnectorValidation of(Config fieldResults, Map<String, String> props) {
        return new ConnectorValidation(fieldResults, props);
    }

    /** The parsed value of a field of our ConfigDef, or null. */
    public Object value(String name) {
        ConfigValue value = values.get(name);
        return value == null ? null : value.value();
    }

    public boolean isValid(String name) {
        ConfigValue value = values.get(name);
        return value == null || value.errorMessages().isEmpty();
    }

    public boolean hasErrors() {
        return values.values().stream().anyMatch(v -> !v.errorMessages().isEmpty())
                || extra.stream().anyMatch(v -> !v.errorMessages().isEmpty());
    }

    /** Adds an error to a field; fields outside our ConfigDef (such as converters) are added as extra results. */
    public void addError(String name, String message) {
        ConfigValue value = values.get(name);
        if (value == null) {
            value = extra.stream().filter(v -> v.name().equals(name)).findFirst().orElse(null);
        }
        if (value == null) {
            // No value: Connect renders these framework-typed keys itself and cannot render ours.
            value = new ConfigValue(name);
            extra.add(value);
        }
        value.addErrorMessage(message);
    }

    /** Replaces the framework's generic message for a missing backup.id with one that says what to choose. */
    public void checkBackupId() {
        String backupId = props.get(BackupIdConfigKeys.BACKUP_ID);
        Optional<String> problem = BackupLayout.backupIdProblem(backupId);
        ConfigValue value = values.get(BackupIdConfigKeys.BACKUP_ID);
        if (problem.isPresent() && value != null) {
            value.errorMessages().clear();
            value.addErrorMessage(problem.get());
        }
    }

    /** Both connectors move raw bytes: any converter but ByteArrayConverter (or the worker default) re-encodes. */
    public void checkConverters() {
        for (String key : CONVERTER_KEYS) {
            String converter = props.get(key);
            if (converter == null || !converter.trim().equals(BYTE_ARRAY_CONVERTER)) {
                addError(key, (converter == null ? key + " is not set, so the worker's default applies"
                        : key + " is " + converter.trim()) + ": set " + key + "=" + BYTE_ARRAY_CONVERTER
                        + " so that records keep their exact bytes (any other converter re-encodes them)");
            }
        }
    }

    /** Settings that are only wrong together: a missing bucket or path, half a key pair, a bad prefix. */
    public Optional<StorageSettings> checkStorage() {
        if (STORAGE_KEYS.stream().anyMatch(key -> !isValid(key))) {
            return Optional.empty();
        }
        StorageSettings settings;
        try {
            settings = StorageSettings.parse(props);
        } catch (RuntimeException e) {
            addError(StorageConfigKeys.STORAGE_TYPE, e.getMessage());
            return Optional.empty();
        }
        List<ConfigProblem> problems = settings.problems();
        problems.forEach(problem -> addError(problem.name(), problem.message()));
        return problems.isEmpty() ? Optional.of(settings) : Optional.empty();
    }

    /** Encryption keys that do not parse: bad base64, a wrong length, a key without an id, malformed previous keys. */
    public void checkEncryption() {
        if (ENCRYPTION_KEYS.stream().anyMatch(key -> !isValid(key))) {
            return;
        }
        AbstractConfig config = new AbstractConfig(EncryptionConfigKeys.define(new ConfigDef()), props, false);
        EncryptionConfigKeys.problems(config).forEach(problem -> addError(problem.name(), problem.message()));
    }

    /**
     * Writes and deletes a tiny object where the backup will live, reporting a failure on the bucket or path.
     * Runs only when the storage settings are otherwise valid.
     */
    public void probeStorageWritable(StorageSettings settings, String keyPrefix) {
        probeStorageWritable(settings, keyPrefix, ObjectStores::open);
    }

    // for testing
    void probeStorageWritable(StorageSettings settings, String keyPrefix,
                              Function<StorageSettings, ObjectStore> opener) {
        String field = settings.type() == StorageType.S3
                ? StorageConfigKeys.S3_BUCKET : StorageConfigKeys.FILESYSTEM_PATH;
        try (ObjectStore store = opener.apply(settings)) {
            StorageProbe.checkWritable(store, keyPrefix).ifPresent(problem -> addError(field, problem));
        } catch (RuntimeException e) {
            addError(field, "Could not reach " + settings.location() + ": " + e.getMessage());
        }
    }

    public Config result() {
        List<ConfigValue> all = new ArrayList<>(values.values());
        all.addAll(extra);
        return new Config(all);
    }
}
