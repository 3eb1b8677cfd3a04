package dev.kbackup.storage;

import java.util.Locale;

/**
 * How an S3 store makes {@link WriteMode#CREATE_NEW} refuse an existing key: the value of
 * {@code s3.conditional.writes}.
 */
public enum ConditionalWriteMode {
    /** Probe the store once and use {@code If-None-Match: *} if it is enforced, otherwise check with HEAD first. */
    AUTO,
    /** Trust the store to enforce {@code If-None-Match: *} (AWS S3 since 2024, recent MinIO, S3Proxy). */
    ENABLED,
    /** Never send the header; check with HEAD right before the write (not atomic against a concurrent writer). */
    DISABLED;

    public String configValue() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** Parses a configuration value, ignoring case and surrounding blanks. */
    public static ConditionalWriteMode fromConfig(String value) {
        String wanted = value == null ? "" : value.trim().toUpperCase(Locale.ROOT);
        for (ConditionalWriteMode mode : values()) {
            if (mode.name().equals(wanted)) {
                return mode;
            }
        }
        throw new IllegalArgumentException(
                "Unknown conditional write mode '" + value + "': expected 'auto', 'enabled' or 'disabled'");
    }
}
