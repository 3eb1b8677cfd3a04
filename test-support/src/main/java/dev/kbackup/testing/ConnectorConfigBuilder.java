package dev.kbackup.testing;

import java.util.HashMap;
import java.util.Map;

/**
 * The settings every kbackup connector config in a test carries, written once: class, tasks, byte-array converters,
 * backup id, storage and prefix, and the cluster to read metadata from. The connector class is passed in
 * because this module cannot depend on the connector modules whose tests use it.
 */
public abstract class ConnectorConfigBuilder<B extends ConnectorConfigBuilder<B>> {

    private final Map<String, String> config = new HashMap<>();

    ConnectorConfigBuilder(String connectorClass, String backupId) {
        config.put("connector.class", connectorClass);
        config.put("tasks.max", "1");
        config.putAll(ConnectClusters.BYTE_ARRAY_CONVERTERS);
        config.put("backup.id", backupId);
    }

    /** The connector's name; Connect takes it from the URL when the config has none. */
    public B name(String name) {
        return set("name", name);
    }

    /** The storage keys of a backend, e.g. {@code S3ProxyFixture.connectorConfig()}. */
    public B storage(Map<String, String> storage) {
        config.putAll(storage);
        return self();
    }

    public B prefix(String storagePrefix) {
        return set("storage.prefix", storagePrefix);
    }

    public B tasks(int tasksMax) {
        return set("tasks.max", Integer.toString(tasksMax));
    }

    public B cluster(String bootstrapServers) {
        return set("cluster.bootstrap.servers", bootstrapServers);
    }

    /** Any other key; the typed methods cover the ones tests share. */
    public B set(String key, String value) {
        config.put(key, value);
        return self();
    }

    /** A fresh, mutable copy: tests add keys for the case they exercise. */
    public Map<String, String> build() {
        return new HashMap<>(config);
    }

    @SuppressWarnings("unchecked")
    private B self() {
        return (B) this;
    }
}
