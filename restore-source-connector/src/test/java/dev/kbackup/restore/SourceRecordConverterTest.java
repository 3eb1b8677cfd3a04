package dev.kbackup.restore;

import dev.kbackup.format.BackupHeader;
import dev.kbackup.format.BackupRecord;
import dev.kbackup.format.TimeWindow;
import dev.kbackup.format.TimestampKind;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.connect.data.Schema;
import org.apache.kafka.connect.header.ConnectHeaders;
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

    @Test
    void headersAreThoseConnectHeadersBuildsAndTheOriginalPositionIsItsDecimalString() {
        byte[] traceValue = bytes("t");
        BackupRecord record = new BackupRecord(7, -1, TimestampKind.CREATE_TIME, bytes("k"), bytes("v"),
                List.of(new BackupHeader("trace", traceValue), new BackupHeader("n\u00e4me", null)));
        SourceRecordConverter converter = new SourceRecordConverter("b1", SOURCE, TARGET, TimeWindow.ALL, true);

        SourceRecord converted = converter.toSourceRecord(record);
        SourceRecord next = converter.toSourceRecord(new BackupRecord(8, 5, TimestampKind.CREATE_TIME, null, null,
                List.of()));

        // what ConnectHeaders.add(key, value, OPTIONAL_BYTES_SCHEMA) built for each header before
        ConnectHeaders expected = new ConnectHeaders();
        expected.add("trace", traceValue, Schema.OPTIONAL_BYTES_SCHEMA);
        expected.add("n\u00e4me", null, Schema.OPTIONAL_BYTES_SCHEMA);
        List<Header> actual = new ArrayList<>();
        converted.headers().forEach(actual::add);
        assertEquals(6, actual.size());
        assertEquals(expected.lastWithName("trace"), actual.get(0));
        assertEquals(expected.lastWithName("n\u00e4me"), actual.get(1));
        List<String> original = new ArrayList<>();
        for (Header header : actual.subList(2, 6)) {
            assertEquals(Schema.OPTIONAL_BYTES_SCHEMA, header.schema());
            original.add(header.key() + "=" + new String((byte[]) header.value(), StandardCharsets.UTF_8));
        }
        assertEquals(List.of("x-original-topic=orders", "x-original-partition=3", "x-original-offset=7",
                "x-original-timestamp=-1"), original);
        assertNull(converted.timestamp(), "no timestamp: Connect's producer sets it");
        assertEquals(Map.of("offset", 7L, "target.topic", "orders-restored", "target.partition", 1),
                converted.sourceOffset());
        assertEquals(Map.of("offset", 8L, "target.topic", "orders-restored", "target.partition", 1),
                next.sourceOffset());
        assertEquals(Map.of("backup.id", "b1", "topic", "orders", "partition", 3), next.sourcePartition());
        assertEquals(List.of("x-original-topic=orders", "x-original-partition=3", "x-original-offset=8",
                "x-original-timestamp=5"), headerStrings(next));
        assertEquals(AssignedPartitions.sizeOf(converted), bytes("k").length + bytes("v").length
                + "trace".length() + 1 + bytes("n\u00e4me").length + original.stream().mapToInt(h -> h.length() - 1)
                .sum(), "header keys count in UTF-8 bytes");
    }

    @Test
    void writesLongsInDecimalAsLongToStringDoes() {
        for (long value : new long[]{0, 1, 9, 10, 99, 100, 1_700_000_000_123L, -1, -9, -10, -12_345,
                Long.MAX_VALUE, Long.MIN_VALUE, Long.MIN_VALUE + 1}) {
            assertArrayEquals(Long.toString(value).getBytes(StandardCharsets.UTF_8),
                    SourceRecordConverter.utf8(value), Long.toString(value));
        }
    }

    private static List<String> headerStrings(SourceRecord record) {
        List<String> headers = new ArrayList<>();
        record.headers().forEach(h -> headers.add(h.key() + "=" + (h.value() == null ? "null"
                : new String((byte[]) h.value(), StandardCharsets.UTF_8))));
        return headers;
    }

    private static byte[] bytes(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }
}
