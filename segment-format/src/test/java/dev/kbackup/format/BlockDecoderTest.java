package dev.kbackup.format;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;

class BlockDecoderTest {

    @Test
    void headerKeysComeBackAsWrittenWhetherTheyRepeatChangeOrMove() {
        List<List<String>> keys = List.of(
                List.of("trace-id", "content-type"),
                List.of("trace-id", "content-type"),
                List.of("trace-id", "content-typf"),     // same length, one byte differs
                List.of("content-type", "trace-id"),     // swapped
                List.of("tr\u00e4ce-id", "content-type"), // not ASCII
                List.of("tr\u00e4ce-id"),
                List.of(),
                List.of("trace-id", "content-type", "a", "b", "c", "d", "e", "f", "g", "h", "i"), // beyond 8
                List.of("trace-id", "content-type", "a", "b", "c", "d", "e", "f", "g", "h", "j"),
                List.of("trace-i", "content-type"));
        List<BackupRecord> records = new ArrayList<>();
        for (int i = 0; i < keys.size(); i++) {
            List<BackupHeader> headers = new ArrayList<>();
            for (String key : keys.get(i)) {
                headers.add(BackupHeader.utf8(key, key.length() % 2 == 0 ? null : "v" + i));
            }
            records.add(new BackupRecord(i, 1_000 + i, TimestampKind.CREATE_TIME, null, new byte[]{(byte) i},
                    headers));
        }

        List<BackupRecord> decoded = decode(records);

        assertEquals(records, decoded);
        for (int i = 0; i < keys.size(); i++) {
            assertEquals(keys.get(i), decoded.get(i).headers().stream().map(BackupHeader::key).toList(), "record " + i);
        }
        // a repeated key is the previous record's String, not a copy of it
        assertSame(decoded.get(0).headers().get(0).key(), decoded.get(1).headers().get(0).key());
        assertSame(decoded.get(0).headers().get(1).key(), decoded.get(1).headers().get(1).key());
    }

    private static List<BackupRecord> decode(List<BackupRecord> records) {
        BlockEncoder encoder = new BlockEncoder();
        records.forEach(encoder::append);
        RawBlock block = encoder.seal();
        BlockHeader header = new BlockHeader(Codec.NONE, block.recordCount(), block.length(), block.length(),
                block.firstOffset(), block.lastOffset(), block.minTimestamp(), block.maxTimestamp(), 0);
        return BlockDecoder.decode("test-segment", 0, 0, header, Arrays.copyOf(block.data(), block.length()));
    }
}
