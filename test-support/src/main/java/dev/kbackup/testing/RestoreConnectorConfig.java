package dev.kbackup.testing;

/** A restore connector config for tests; without a name unless given, as Connect then takes it from the URL. */
public final class RestoreConnectorConfig extends ConnectorConfigBuilder<RestoreConnectorConfig> {

    private RestoreConnectorConfig(String connectorClass, String backupId) {
        super(connectorClass, backupId);
    }

    /** A restore of backup {@code backupId}. */
    public static RestoreConnectorConfig of(Class<?> connectorClass, String backupId) {
        return new RestoreConnectorConfig(connectorClass.getName(), backupId);
    }

    /** As {@link #of(Class, String)}, for a test that has the plugin only on a worker's plugin.path. */
    public static RestoreConnectorConfig of(String connectorClass, String backupId) {
        return new RestoreConnectorConfig(connectorClass, backupId);
    }

    /** Lets the restore create missing target topics. */
    public RestoreConnectorConfig createTopics() {
        return set("restore.create.topics", "true");
    }

    /** Only these comma-separated source topics of the backup. */
    public RestoreConnectorConfig topics(String topics) {
        return set("topics", topics);
    }

    /** Comma-separated {@code source:target} pairs. */
    public RestoreConnectorConfig topicMapping(String mapping) {
        return set("topic.mapping", mapping);
    }

    /** A throttle on the bytes the restore produces per second. */
    public RestoreConnectorConfig maxBytesPerSecond(long bytes) {
        return set("restore.max.bytes.per.second", Long.toString(bytes));
    }

    /** Exactly-once delivery: required support, one transaction boundary defined by the connector. */
    public RestoreConnectorConfig exactlyOnce() {
        return set("exactly.once.support", "required").set("transaction.boundary", "connector");
    }
}
