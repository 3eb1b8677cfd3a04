package dev.kbackup.sink;

import dev.kbackup.config.ConnectorValidation;
import dev.kbackup.format.BackupHeader;
import dev.kbackup.format.BackupRecord;
import dev.kbackup.format.TimestampKind;
import org.apache.kafka.common.record.TimestampType;
import org.apache.kafka.connect.data.Schema;
import org.apache.kafka.connect.errors.ConnectException;
import org.apache.kafka.connect.header.Header;
import org.apache.kafka.connect.sink.SinkRecord;

import java.util.ArrayList;
import java.util.List;

/**
 * Turns a {@link SinkRecord} into the record the backup stores, refusing anything that is not raw bytes: a
 * converter other than ByteArrayConverter would have decoded the data, and storing a re-serialization would not
 * be the original.
 */
final class SinkRecordConverter {


    private SinkRecordConverter() {
    }

    static BackupRecord toBackupRecord(SinkRecord record) {
        byte[] key = bytes(record, record.key(), record.keySchema(), "key", "key.converter");
        byte[] value = bytes(record, record.value(), record.valueSchema(), "value", "value.converter");
        List<BackupHeader> headers = new ArrayList<>(record.headers().size());
        for (Header header : record.headers()) {
            headers.add(new BackupHeader(header.key(),
                    bytes(record, header.value(), header.schema(), "header '" + header.key() + "'", "header.converter")));
        }
        long timestamp = record.timestamp() == null ? -1 : record.timestamp();
        TimestampKind kind = record.timestampType() == TimestampType.LOG_APPEND_TIME
                ? TimestampKind.LOG_APPEND_TIME : TimestampKind.CREATE_TIME;
        return new BackupRecord(record.originalKafkaOffset(), timestamp, kind, key, value, headers);
    }

    private static byte[] bytes(SinkRecord record, Object data, Schema schema, String what, String converterKey) {
        boolean bytesSchema = schema == null || schema.type() == Schema.Type.BYTES;
        if (data == null && bytesSchema) {
            return null;
        }
        if (data instanceof byte[] raw && bytesSchema) {
            return raw;
        }
        String found = data == null ? "null with schema " + schema.type() : data.getClass().getSimpleName()
                + (schema == null ? "" : " with schema " + schema.type());
        throw new ConnectException("The " + what + " of the record at " + record.originalTopic() + "-"
                + record.originalKafkaPartition() + " offset " + record.originalKafkaOffset() + " arrived as " + found
                + ", not raw bytes, so storing it would not keep the original bytes. Set " + converterKey + "="
                + ConnectorValidation.BYTE_ARRAY_CONVERTER + " in the connector config (key.converter, "
                + "value.converter and header.converter must all be ByteArrayConverter) and restart the connector. "
                + "Nothing was written for this record.");
    }
}
