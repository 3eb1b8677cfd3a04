package dev.kbackup.format;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Objects;

/** One record header: a non-null String key and a value that may be null (distinct from empty). */
public record BackupHeader(String key, byte[] value) {

    public BackupHeader {
        Objects.requireNonNull(key, "header key");
    }

    public static BackupHeader utf8(String key, String value) {
        return new BackupHeader(key, value == null ? null : value.getBytes(StandardCharsets.UTF_8));
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof BackupHeader that && key.equals(that.key) && Arrays.equals(value, that.value);
    }

    @Override
    public int hashCode() {
        return 31 * key.hashCode() + Arrays.hashCode(value);
    }

    @Override
    public String toString() {
        return key + "=" + (value == null ? "null" : value.length + " bytes");
    }
}
