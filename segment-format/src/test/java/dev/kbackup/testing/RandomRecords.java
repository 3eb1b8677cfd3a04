package dev.kbackup.testing;

import dev.kbackup.format.BackupHeader;
import dev.kbackup.format.BackupRecord;
import dev.kbackup.format.TimestampKind;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * Seeded random records that hit the format's edge cases: null versus empty keys, values and header values,
 * duplicate and non-ASCII header keys, zero-byte and multi-megabyte values, offset gaps and timestamps that go
 * backwards.
 */
public final class RandomRecords {

    private static final String[] HEADER_KEYS = {"trace-id", "content-type", "dup", "dup", "ключ", "",
        "emoji-\uD83D\uDE00"};

    private final Random random;
    private final int maxValueBytes;
    private final double hugeRecordChance;

    public RandomRecords(long seed) {
        this(seed, 4096, 0.0);
    }

    /**
     * @param hugeRecordChance probability that a value is between 1 and 3 MiB
     */
    public RandomRecords(long seed, int maxValueBytes, double hugeRecordChance) {
        this.random = new Random(seed);
        this.maxValueBytes = maxValueBytes;
        this.hugeRecordChance = hugeRecordChance;
    }

    /** {@code count} records starting at {@code firstOffset}, with random gaps between offsets. */
    public List<BackupRecord> records(long firstOffset, int count) {
        List<BackupRecord> records = new ArrayList<>(count);
        long offset = firstOffset;
        long timestamp = 1_763_900_000_000L + random.nextInt(1_000_000);
        for (int i = 0; i < count; i++) {
            if (i > 0) {
                offset += random.nextInt(10) == 0 ? 1 + random.nextInt(1000) : 1;
            }
            // Mostly forward, sometimes back: producers' clocks and CreateTime are not monotonic.
            timestamp += random.nextInt(4) == 0 ? -random.nextInt(60_000) : random.nextInt(2_000);
            records.add(record(offset, timestamp));
        }
        return records;
    }

    public BackupRecord record(long offset, long timestamp) {
        TimestampKind kind = random.nextInt(5) == 0 ? TimestampKind.LOG_APPEND_TIME : TimestampKind.CREATE_TIME;
        return new BackupRecord(offset, timestamp, kind, bytes(64), value(), headers());
    }

    private byte[] value() {
        if (hugeRecordChance > 0 && random.nextDouble() < hugeRecordChance) {
            return randomBytes((1 << 20) + random.nextInt(2 << 20));
        }
        return bytes(maxValueBytes);
    }

    /** Null, empty, or up to {@code max} bytes, each case often enough to matter. */
    private byte[] bytes(int max) {
        int choice = random.nextInt(8);
        if (choice == 0) {
            return null;
        }
        if (choice == 1) {
            return new byte[0];
        }
        if (choice == 2) {
            return randomBytes(random.nextInt(max + 1));
        }
        return jsonLike(random.nextInt(max + 1));
    }

    private List<BackupHeader> headers() {
        int count = random.nextInt(4) == 0 ? 0 : random.nextInt(5);
        List<BackupHeader> headers = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            String key = HEADER_KEYS[random.nextInt(HEADER_KEYS.length)];
            headers.add(new BackupHeader(key, bytes(32)));
        }
        return headers;
    }

    private byte[] randomBytes(int length) {
        byte[] bytes = new byte[length];
        random.nextBytes(bytes);
        return bytes;
    }

    /** Repetitive text, like the JSON events most topics carry, so compression has something to do. */
    private byte[] jsonLike(int length) {
        StringBuilder text = new StringBuilder(length + 64);
        while (text.length() < length) {
            text.append("{\"order\":").append(random.nextInt(100_000)).append(",\"status\":\"")
                    .append(random.nextBoolean() ? "PAID" : "SHIPPED").append("\"}");
        }
        return text.substring(0, length).getBytes(StandardCharsets.UTF_8);
    }
}
