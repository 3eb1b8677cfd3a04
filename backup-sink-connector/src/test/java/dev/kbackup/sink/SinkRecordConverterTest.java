package dev.kbackup.sink;

import dev.kbackup.format.BackupHeader;
import dev.kbackup.format.BackupRecord;
import dev.kbackup.format.TimestampKind;
import org.apache.kafka.common.record.TimestampType;
import org.apache.kafka.connect.data.Schema;
import org.apache.kafka.connect.errors.ConnectException;
import org.apache.kafka.connect.header.ConnectHeaders;
import org.apache.kafka.connect.sink.SinkRecord;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class SinkRecordConverterTest {

    @Test
    void keepsBytesNullsEmptiesHeadersAndTimestampType() {
        ConnectHeaders headers = new ConnectHeaders();
        headers.add("dup", new byte[] {1}, Schema.OPTIONAL_BYTES_SCHEMA);
        headers.add("dup", null, Schema.OPTIONAL_BYTES_SCHEMA);
        headers.add("empty", new byte[0], Schema.OPTIONAL_BYTES_SCHEMA);
        SinkRecord record = new SinkRecord("orders", 3, Schema.OPTIONAL_BYTES_SCHEMA, null,
                Schema.OPTIONAL_BYTES_SCHEMA, new byte[0], 42L, 1_700_000_000_000L, TimestampType.LOG_APPEND_TIME,
                headers);

        BackupRecord converted = SinkRecordConverter.toBackupRecord(record);

        assertEquals(42L, converted.offset());
        assertEquals(1_700_000_000_000L, converted.timestamp());
        assertEquals(TimestampKind.LOG_APPEND_TIME, converted.timestampKind());
        assertNull(converted.key());
        assertArrayEquals(new byte[0], converted.value());
        assertEquals(List.of(new BackupHeader("dup", new byte[] {1}), new BackupHeader("dup", null),
                new BackupHeader("empty", new byte[0])), converted.headers());
    }

    @Test
    void decodedValueFailsNamingTheConverterToSet() {
        SinkRecord record = new SinkRecord("orders", 1, Schema.OPTIONAL_BYTES_SCHEMA, new byte[] {1},
                Schema.STRING_SCHEMA, "decoded text", 7L);
        ConnectException e = assertThrows(ConnectException.class, () -> SinkRecordConverter.toBackupRecord(record));
        assertTrue(e.getMessage().contains("orders-1 offset 7"), e.getMessage());
        assertTrue(e.getMessage().contains("value.converter=org.apache.kafka.connect.converters.ByteArrayConverter"),
                e.getMessage());
    }

    @Test
    void headerFromTheSimpleHeaderConverterFailsNamingHeaderConverter() {
        ConnectHeaders headers = new ConnectHeaders();
        headers.addString("trace", "abc");
        SinkRecord record = new SinkRecord("orders", 0, null, null, null, null, 0L, 0L, TimestampType.CREATE_TIME,
                headers);
        ConnectException e = assertThrows(ConnectException.class, () -> SinkRecordConverter.toBackupRecord(record));
        assertTrue(e.getMessage().contains("header 'trace'"), e.getMessage());
        assertTrue(e.getMessage().contains("header.converter="), e.getMessage());
    }
}
