package dev.kbackup.restore;

import dev.kbackup.format.BackupHeader;
import dev.kbackup.format.BackupRecord;
import dev.kbackup.format.TimeWindow;
import dev.kbackup.format.TimestampKind;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.connect.data.Schema;
import org.apache.kafka.connect.header.Header;
import org.apache.kafka.connect.source.SourceRecord;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

class SourceRecordConverterTest {

    private static final TopicPartition SOURCE = new TopicPartition("orders", 3);
    private static final TopicPartition TARGET = new TopicPartition("orders-restored", 1);

    @Test
    void keepsNullAndEmptyApartAndHeadersInOrderWithDuplicates() {
        BackupRecord record = new BackupRecord(42, 1_700_000_000_123L, TimestampKind.LOG_APPEND_TIME, null,
                new byte[0], List.of(new BackupHeader("dup", bytes("1")), new BackupHeader("dup", null),
                new BackupHeader("e", new byte[0]), new BackupHeader("dup", bytes("3"))));

        SourceRecord converted = new SourceRecordConverter("b1", SOURCE, TARGET, new TimeWindow(1_000, 2_000), false)
                .toSourceRecord(record);

        assertEquals("orders-restored", converted.topic());
        assertEquals(1, converted.kafkaPartition());
        assertEquals(Schema.OPTIONAL_BYTES_SCHEMA, converted.keySchema());
        assertEquals(Schema.OPTIONAL_BYTES_SCHEMA, converted.valueSchema());
        assertNull(converted.key());
        assertArrayEquals(new byte[0], (byte[]) converted.value());
        assertEquals(1_700_000_000_123L, converted.timestamp());
        List<String> keys = new ArrayList<>();
        List<byte[]> values = new ArrayList<>();
        for (Header header : converted.headers()) {
            keys.add(header.key());
            values.add((byte[]) header.value());
            assertEquals(Schema.OPTIONAL_BYTES_SCHEMA, header.schema());
        }
        assertEquals(List.of("dup", "dup", "e", "dup"), keys);
        assertArrayEquals(bytes("1"), values.get(0));
        assertNull(values.get(1));
        assertArrayEquals(new byte[0], values.get(2));
        assertEquals(Map.of("backup.id", "b1", "topic", "orders", "partition", 3), converted.sourcePartition());
        assertEquals(Map.of("offset", 42L, "target.topic", "orders-restored", "target.partition", 1,
                "window.start", 1_000L, "window.end", 2_000L), converted.sourceOffset());
    }

    @Test
    void addsTheOriginalPositionAsDecimalStringsAfterTheRecordsOwnHeaders() {
        BackupRecord record = new BackupRecord(9_000_000_000L, 17, TimestampKind.CREATE_TIME, bytes("k"), bytes("v"),
                List.of(new BackupHeader("trace", bytes("t"))));

        SourceRecord converted = new SourceRecordConverter("b1", SOURCE, TARGET, TimeWindow.ALL, true)
                .toSourceRecord(record);

        List<String> headers = new ArrayList<>();
        converted.headers().forEach(h -> headers.add(h.key() + "=" + (h.value() == null ? "null"
                : new String((byte[]) h.value(), StandardCharsets.UTF_8))));
        assertEquals(List.of("trace=t", "x-original-topic=orders", "x-original-partition=3",
                "x-original-offset=9000000000", "x-original-timestamp=17"), headers);
    }

    private static byte[] bytes(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }
}
