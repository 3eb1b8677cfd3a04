package dev.kbackup.cli;

import dev.kbackup.config.BackupIdConfigKeys;
import dev.kbackup.encryption.EncryptionConfigKeys;
import dev.kbackup.format.EncryptionKeys;
import dev.kbackup.layout.BackupCatalog;
import dev.kbackup.layout.BackupLayout;
import dev.kbackup.storage.ObjectStore;
import dev.kbackup.storage.ObjectStores;
import dev.kbackup.storage.StorageConfigKeys;
import dev.kbackup.storage.StorageSettings;
import org.apache.kafka.common.config.AbstractConfig;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigException;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The storage the connector configuration points at, opened with the connectors' own settings classes, and the
 * backups in it. Everything about a backup is read through {@link BackupCatalog} and {@link BackupLayout}.
 */
final class BackupStore implements AutoCloseable {

    /** The sink's defaults of state.sync.interval.ms (side-store upload) and checkpoint.interval.ms (heartbeat). */
    private static final long DEFAULT_SYNC_INTERVAL_MS = 30_000;
    private static final long DEFAULT_CHECKPOINT_INTERVAL_MS = 5_000;

    private final ObjectStore store;
    private final Map<String, String> config;

    BackupStore(ObjectStore store, Map<String, String> config) {
        this.store = store;
        this.config = Map.copyOf(config);
    }

    static BackupStore open(Map<String, String> config) {
        StorageSettings settings;
        try {
            settings = StorageSettings.parse(config);
            return new BackupStore(ObjectStores.open(settings), config);
        } catch (ConfigException e) {
            throw new UsageException(e.getMessage() + ". Fix it in the --config file or override it with --set "
                    + "KEY=VALUE (storage keys: " + StorageConfigKeys.STORAGE_TYPE + ", " + StorageConfigKeys.S3_BUCKET
                    + ", " + StorageConfigKeys.FILESYSTEM_PATH + ", ...; see docs/configuration.md)", e);
        }
    }

    ObjectStore store() {
        return store;
    }

    /**
     * The keys that open encrypted segments: encryption.key, encryption.key.id and encryption.previous.keys of the
     * config, parsed as the connectors parse them; {@link EncryptionKeys#NONE} when none are set.
     */
    EncryptionKeys encryptionKeys() {
        try {
            ConfigDef def = EncryptionConfigKeys.define(new ConfigDef());
            return EncryptionConfigKeys.keys(new AbstractConfig(def, config, false));
        } catch (ConfigException e) {
            throw new UsageException(e.getMessage() + ". Fix it in the --config file or override it with --set "
                    + "KEY=VALUE (see docs/configuration.md, Encryption)", e);
        }
    }

    /** The backup a command names, or the config's backup.id when it names none. */
    String backupId(String given) {
        String id = given != null ? given : config.get(BackupIdConfigKeys.BACKUP_ID);
        if (id == null) {
            throw new UsageException("Name the backup: kbackup <command> <backup.id> (or put backup.id in the "
                    + "--config file); `kbackup list` shows the backups in " + store.describe());
        }
        BackupLayout.backupIdProblem(id).ifPresent(problem -> {
            throw new UsageException(problem);
        });
        return id;
    }

    /** The catalog of a backup that exists; a usage error naming the backups there are otherwise. */
    BackupCatalog existingCatalog(String backupId) {
        BackupCatalog catalog = catalog(backupId);
        if (!exists(catalog)) {
            List<String> ids = backupIds();
            throw new UsageException("There is no backup '" + backupId + "' in " + store.describe() + "; "
                    + (ids.isEmpty() ? "it holds no backup at all (check storage.prefix)" : "it holds " + ids));
        }
        return catalog;
    }

    BackupCatalog catalog(String backupId) {
        return new BackupCatalog(store, new BackupLayout(backupId));
    }

    /** Every backup under the storage prefix: folders holding a manifest or segments. */
    List<String> backupIds() {
        List<String> ids = new ArrayList<>();
        for (String folder : store.listFolders("")) {
            if (BackupLayout.backupIdProblem(folder).isEmpty() && exists(catalog(folder))) {
                ids.add(folder);
            }
        }
        return ids;
    }

    private boolean exists(BackupCatalog catalog) {
        return catalog.readManifest().isPresent() || !store.listFolders(catalog.layout().topicsPrefix()).isEmpty();
    }

    /**
     * How old a synced heartbeat may be for its task to count as alive: twice what a live task's copy can lag, a
     * checkpoint interval (the heartbeat's update) plus a sync interval (the copy's upload), taken from the config
     * or the sink's defaults.
     */
    Duration aliveWithin() {
        return Duration.ofMillis(2 * (millis("checkpoint.interval.ms", DEFAULT_CHECKPOINT_INTERVAL_MS)
                + millis("state.sync.interval.ms", DEFAULT_SYNC_INTERVAL_MS)));
    }

    private long millis(String key, long otherwise) {
        String value = config.get(key);
        if (value == null || value.isBlank()) {
            return otherwise;
        }
        try {
            return Long.parseLong(value.trim());
        } catch (NumberFormatException e) {
            throw new UsageException(key + " '" + value + "' is not a number of milliseconds");
        }
    }

    String describe() {
        return store.describe();
    }

    @Override
    public void close() {
        store.close();
    }
}
