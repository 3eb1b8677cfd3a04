package dev.kbackup.restore;

import dev.kbackup.format.BackupHeader;
import dev.kbackup.format.BackupRecord;
import dev.kbackup.format.TimeWindow;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.connect.data.Schema;
import org.apache.kafka.connect.header.ConnectHeaders;
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
    private final byte[] topicBytes;
    private final byte[] partitionBytes;

    SourceRecordConverter(String backupId, TopicPartition source, TopicPartition target, TimeWindow window,
                    boolean originalHeaders) {
        this.source = source;
        this.target = target;
        this.sourcePartition = RestoreOffsets.sourcePartition(backupId, source);
        this.scope = new RestoreOffsets.Scope(target, window);
        this.originalHeaders = originalHeaders;
        this.topicBytes = source.topic().getBytes(StandardCharsets.UTF_8);
        this.partitionBytes = utf8(source.partition());
    }

    SourceRecord toSourceRecord(BackupRecord record) {
        ConnectHeaders headers = new ConnectHeaders();
        for (BackupHeader header : record.headers()) {
            headers.add(header.key(), header.value(), Schema.OPTIONAL_BYTES_SCHEMA);
        }
        if (originalHeaders) {
            headers.add(ORIGINAL_TOPIC, topicBytes, Schema.OPTIONAL_BYTES_SCHEMA);
            headers.add(ORIGINAL_PARTITION, partitionBytes, Schema.OPTIONAL_BYTES_SCHEMA);
            headers.add(ORIGINAL_OFFSET, utf8(record.offset()), Schema.OPTIONAL_BYTES_SCHEMA);
            headers.add(ORIGINAL_TIMESTAMP, utf8(record.timestamp()), Schema.OPTIONAL_BYTES_SCHEMA);
        }
        return new SourceRecord(sourcePartition, RestoreOffsets.sourceOffset(record.offset(), scope), target.topic(),
                target.partition(), Schema.OPTIONAL_BYTES_SCHEMA, record.key(), Schema.OPTIONAL_BYTES_SCHEMA,
                record.value(), record.timestamp() >= 0 ? record.timestamp() : null, headers);
    }

    TopicPartition source() {
        return source;
    }

    private static byte[] utf8(long value) {
        return Long.toString(value).getBytes(StandardCharsets.UTF_8);
    }
}
