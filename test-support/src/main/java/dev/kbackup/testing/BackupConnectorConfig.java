package dev.kbackup.testing;

import java.nio.file.Path;

/**
 * A backup connector config for tests: read_committed consumption and intervals of a second, so that segments roll
 * and catalogs publish within a test's time; everything else as the product's defaults unless set.
 */
public final class BackupConnectorConfig extends ConnectorConfigBuilder<BackupConnectorConfig> {

    private BackupConnectorConfig(String connectorClass, String backupId, String topics) {
        super(connectorClass, backupId);
        set("topics", topics);
        set("consumer.override.isolation.level", "read_committed");
        set("segment.max.interval.ms", "1000");
        set("state.sync.interval.ms", "1000");
    }

    /** A backup of the comma-separated {@code topics}. */
    public static BackupConnectorConfig of(Class<?> connectorClass, String backupId, String topics) {
        return new BackupConnectorConfig(connectorClass.getName(), backupId, topics);
    }

    /** As {@link #of(Class, String, String)}, for a test that has the plugin only on a worker's plugin.path. */
    public static BackupConnectorConfig of(String connectorClass, String backupId, String topics) {
        return new BackupConnectorConfig(connectorClass, backupId, topics);
    }

    /** S3's smallest part size, so that multipart uploads happen with test-sized data. */
    public BackupConnectorConfig minimumPartSize() {
        return set("s3.part.size.bytes", Integer.toString(5 * 1024 * 1024));
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

    public BackupConnectorConfig segmentMaxIntervalMs(long millis) {
        return set("segment.max.interval.ms", Long.toString(millis));
    }

    public BackupConnectorConfig bufferMemoryBytes(long bytes) {
        return set("buffer.memory.bytes", Long.toString(bytes));
    }

    /** How often one S3 request is tried, and the first pause between tries. */
    public BackupConnectorConfig s3Retry(int maxAttempts, long baseDelayMs) {
        return set("s3.retry.max.attempts", Integer.toString(maxAttempts))
                .set("s3.retry.base.delay.ms", Long.toString(baseDelayMs));
    }

    /** How often one S3 request is tried, with the product's default pause. */
    public BackupConnectorConfig s3RetryMaxAttempts(int maxAttempts) {
        return set("s3.retry.max.attempts", Integer.toString(maxAttempts));
    }

    public BackupConnectorConfig storageFailureThreshold(int failures) {
        return set("storage.failure.threshold", Integer.toString(failures));
    }

    /** The storage circuit's probe interval while open, and the backoff of a retried write. */
    public BackupConnectorConfig storageRecovery(long recoveryIntervalMs, long retryBackoffMs) {
        return set("storage.recovery.interval.ms", Long.toString(recoveryIntervalMs))
                .set("storage.retry.backoff.ms", Long.toString(retryBackoffMs));
    }
}
