package dev.kbackup.format;

import java.util.Arrays;
import java.util.List;
import java.util.Objects;

/**
 * A Kafka record as the backup keeps it: original offset, timestamp and its type, key and value (each may be
 * null, distinct from empty) and the headers in their original order, duplicates included.
 */
public record BackupRecord(long offset, long timestamp, TimestampKind timestampKind, byte[] key, byte[] value,
                           List<BackupHeader> headers) {

    public BackupRecord {
        Objects.requireNonNull(timestampKind, "timestampKind");
        headers = headers == null ? List.of() : headers;
    }

    /** Bytes of key, value and headers, as counted for throughput figures. */
    public long payloadBytes() {
        long size = (key == null ? 0 : key.length) + (value == null ? 0 : value.length);
        for (BackupHeader header : headers) {
            size += header.key().length() + (header.value() == null ? 0 : header.value().length);
        }
        return size;
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof BackupRecord that
                && offset == that.offset
                && timestamp == that.timestamp
                && timestampKind == that.timestampKind
                && Arrays.equals(key, that.key)
                && Arrays.equals(value, that.value)
                && headers.equals(that.headers);
    }

    @Override
    public int hashCode() {
        return Objects.hash(offset, timestamp, timestampKind, Arrays.hashCode(key), Arrays.hashCode(value), headers);
    }

    @Override
    public String toString() {
        return "BackupRecord{offset=" + offset + ", timestamp=" + timestamp + " (" + timestampKind + "), key="
                + (key == null ? "null" : key.length + " bytes") + ", value="
                + (value == null ? "null" : value.length + " bytes") + ", headers=" + headers + "}";
    }
}
