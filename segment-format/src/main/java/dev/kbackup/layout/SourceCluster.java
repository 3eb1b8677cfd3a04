package dev.kbackup.layout;

/** The Kafka cluster a backup was taken from; either field may be null when it could not be learned. */
public record SourceCluster(String clusterId, String bootstrapServers) {

    public static final SourceCluster UNKNOWN = new SourceCluster(null, null);
}
