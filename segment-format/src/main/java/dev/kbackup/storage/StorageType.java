package dev.kbackup.storage;

import java.util.Locale;

/** Where backups are stored: the value of {@code storage.type}. */
public enum StorageType {
    /** An S3 bucket on AWS or on an S3-compatible store (MinIO, Ceph RGW, SeaweedFS, S3Proxy). */
    S3("s3"),
    /** A directory on a local or mounted filesystem (NFS, a Kubernetes volume). */
    FILESYSTEM("filesystem");

    private final String configValue;

    StorageType(String configValue) {
        this.configValue = configValue;
    }

    /** The spelling used in the connector configuration. */
    public String configValue() {
        return configValue;
    }

    /** Parses a configuration value, ignoring case and surrounding blanks. */
    public static StorageType fromConfig(String value) {
        String wanted = value == null ? "" : value.trim().toLowerCase(Locale.ROOT);
        for (StorageType type : values()) {
            if (type.configValue.equals(wanted)) {
                return type;
            }
        }
        throw new IllegalArgumentException("Unknown storage type '" + value + "': expected 's3' or 'filesystem'");
    }
}
