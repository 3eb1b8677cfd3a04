package dev.kbackup.testing;

import java.nio.file.Path;

/**
 * A backup connector config for tests: read_committed consumption and intervals of a second, so that segments roll,
 * state syncs and catalogs publish within a test's time; everything else as the product's defaults unless set.
 */
public final class BackupConnectorConfig extends ConnectorConfigBuilder<BackupConnectorConfig> {

    private BackupConnectorConfig(Class<?> connectorClass, String backupId, String topics) {
        super(connectorClass, backupId);
        name(backupId);
        set("topics", topics);
        set("consumer.override.isolation.level", "read_committed");
        set("segment.max.interval.ms", "1000");
        set("state.sync.interval.ms", "1000");
        // S3's smallest part, so multipart uploads happen with test-sized data.
        set("s3.part.size.bytes", Integer.toString(5 * 1024 * 1024));
    }

    /** A backup named after its id, of the comma-separated {@code topics}. */
    public static BackupConnectorConfig of(Class<?> connectorClass, String backupId, String topics) {
        return new BackupConnectorConfig(connectorClass, backupId, topics);
    }

    public BackupConnectorConfig codec(String compressionType) {
        return set("compression.type", compressionType);
    }

    public BackupConnectorConfig segmentMaxBytes(long bytes) {
        return set("segment.max.bytes", Long.toString(bytes));
    }

    public BackupConnectorConfig blockBytes(int bytes) {
        return set("segment.block.bytes", Integer.toString(bytes));
    }

    public BackupConnectorConfig checkpointIntervalMs(long millis) {
        return set("checkpoint.interval.ms", Long.toString(millis));
    }

    public BackupConnectorConfig stateDir(Path dir) {
        return set("state.dir", dir.toString());
    }
}
