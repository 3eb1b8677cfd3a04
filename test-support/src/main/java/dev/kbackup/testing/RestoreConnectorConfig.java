package dev.kbackup.testing;

/** A restore connector config for tests: restores into topics it creates, as most tests want. */
public final class RestoreConnectorConfig extends ConnectorConfigBuilder<RestoreConnectorConfig> {

    private RestoreConnectorConfig(Class<?> connectorClass, String name, String backupId) {
        super(name, connectorClass, backupId);
        set("restore.create.topics", "true");
    }

    /** A restore connector called {@code name} reading backup {@code backupId}. */
    public static RestoreConnectorConfig of(Class<?> connectorClass, String name, String backupId) {
        return new RestoreConnectorConfig(connectorClass, name, backupId);
    }

    /** Only these comma-separated source topics of the backup. */
    public RestoreConnectorConfig topics(String topics) {
        return set("topics", topics);
    }

    /** Comma-separated {@code source:target} pairs. */
    public RestoreConnectorConfig topicMapping(String mapping) {
        return set("topic.mapping", mapping);
    }
}
