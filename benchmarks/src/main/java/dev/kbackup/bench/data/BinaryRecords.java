package dev.kbackup.bench.data;

import dev.kbackup.format.BackupHeader;
import dev.kbackup.format.BackupRecord;
import dev.kbackup.format.TimestampKind;

import java.nio.charset.StandardCharsets;
import java.util.HexFormat;
import java.util.List;
import java.util.SplittableRandom;

/** Records that no codec can shrink: 960-1088 random bytes (1 KB on average) under a random 8-byte key. */
final class BinaryRecords implements DataSet.RecordGenerator {

    private static final byte[] CONTENT_TYPE = "application/octet-stream".getBytes(StandardCharsets.US_ASCII);

    private final SplittableRandom random;
    private long offset;
    private long timestamp = 1_767_225_600_000L;

    BinaryRecords(long seed) {
        random = new SplittableRandom(seed);
    }

    @Override
    public BackupRecord next() {
        timestamp += random.nextInt(3);
        byte[] key = new byte[8];
        random.nextBytes(key);
        byte[] value = new byte[960 + random.nextInt(129)];
        random.nextBytes(value);
        byte[] trace = new byte[16];
        random.nextBytes(trace);
        List<BackupHeader> headers = List.of(
                new BackupHeader("trace-id", HexFormat.of().formatHex(trace).getBytes(StandardCharsets.US_ASCII)),
                new BackupHeader("content-type", CONTENT_TYPE));
        return new BackupRecord(offset++, timestamp, TimestampKind.CREATE_TIME, key, value, headers);
    }
}
