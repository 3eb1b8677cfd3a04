package dev.kbackup.restore;

import dev.kbackup.format.BackupHeader;
import dev.kbackup.format.BackupRecord;
import dev.kbackup.format.TimeWindow;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.connect.data.Schema;
import org.apache.kafka.connect.header.ConnectHeaders;
import org.apache.kafka.connect.header.Header;
import org.apache.kafka.connect.source.SourceRecord;

import java.nio.charset.StandardCharsets;
import java.util.Map;

/**
 * Turns backed-up records of one partition into the records Connect produces: bytes key and value (null stays
 * null, empty stays empty), the original timestamp, the original headers in order with duplicates, the target
 * partition set explicitly, and optionally the {@code x-original-*} headers. With the ByteArrayConverter for key,
 * value and headers, what reaches Kafka is byte for byte what was backed up.
 */
final class SourceRecordConverter {

    static final String ORIGINAL_TOPIC = "x-original-topic";
    static final String ORIGINAL_PARTITION = "x-original-partition";
    static final String ORIGINAL_OFFSET = "x-original-offset";
    static final String ORIGINAL_TIMESTAMP = "x-original-timestamp";

    private final TopicPartition source;
    private final TopicPartition target;
    private final Map<String, Object> sourcePartition;
    private final RestoreOffsets.Scope scope;
    private final boolean originalHeaders;
    // the same for every record of the partition; immutable, so every record shares them
    private final Header originalTopic;
    private final Header originalPartition;

    SourceRecordConverter(String backupId, TopicPartition source, TopicPartition target, TimeWindow window,
                    boolean originalHeaders) {
        this.source = source;
        this.target = target;
        this.sourcePartition = RestoreOffsets.sourcePartition(backupId, source);
        this.scope = new RestoreOffsets.Scope(target, window);
        this.originalHeaders = originalHeaders;
        this.originalTopic = bytesHeader(ORIGINAL_TOPIC, source.topic().getBytes(StandardCharsets.UTF_8));
        this.originalPartition = bytesHeader(ORIGINAL_PARTITION, utf8(source.partition()));
    }

    SourceRecord toSourceRecord(BackupRecord record) {
        BytesHeaders headers = new BytesHeaders();
        for (BackupHeader header : record.headers()) {
            headers.addOptionalBytes(header.key(), header.value());
        }
        if (originalHeaders) {
            headers.add(originalTopic);
            headers.add(originalPartition);
            headers.addOptionalBytes(ORIGINAL_OFFSET, utf8(record.offset()));
            headers.addOptionalBytes(ORIGINAL_TIMESTAMP, utf8(record.timestamp()));
        }
        return new SourceRecord(sourcePartition, RestoreOffsets.sourceOffset(record.offset(), scope), target.topic(),
                target.partition(), Schema.OPTIONAL_BYTES_SCHEMA, record.key(), Schema.OPTIONAL_BYTES_SCHEMA,
                record.value(), record.timestamp() >= 0 ? record.timestamp() : null, headers);
    }

    TopicPartition source() {
        return source;
    }

    /** The source partition map of every record this converter makes (the same instance each time). */
    Map<String, Object> sourcePartition() {
        return sourcePartition;
    }

    /** The header {@code ConnectHeaders.add(key, value, OPTIONAL_BYTES_SCHEMA)} makes. */
    private static Header bytesHeader(String key, byte[] value) {
        return new ConnectHeaders().add(key, value, Schema.OPTIONAL_BYTES_SCHEMA).lastWithName(key);
    }

    /**
     * Headers added as {@code add(key, value, OPTIONAL_BYTES_SCHEMA)} adds them, without checking for every header
     * of every record that a byte array matches the bytes schema.
     */
    private static final class BytesHeaders extends ConnectHeaders {

        void addOptionalBytes(String key, byte[] value) {
            addWithoutValidating(key, value, Schema.OPTIONAL_BYTES_SCHEMA);
        }
    }

    /** {@code Long.toString(value)} in UTF-8 (its digits and sign are ASCII), without the String in between. */
    static byte[] utf8(long value) {
        if (value == Long.MIN_VALUE) {
            return Long.toString(value).getBytes(StandardCharsets.UTF_8);
        }
        long magnitude = Math.abs(value);
        int length = value < 0 ? 2 : 1;
        for (long rest = magnitude / 10; rest > 0; rest /= 10) {
            length++;
        }
        byte[] digits = new byte[length];
        for (int i = length - 1; i >= (value < 0 ? 1 : 0); i--) {
            digits[i] = (byte) ('0' + magnitude % 10);
            magnitude /= 10;
        }
        if (value < 0) {
            digits[0] = '-';
        }
        return digits;
    }
}
