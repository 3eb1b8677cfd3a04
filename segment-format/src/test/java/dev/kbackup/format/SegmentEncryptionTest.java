package dev.kbackup.format;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.zip.CRC32C;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import dev.kbackup.testing.RandomRecords;

/**
 * Client-side encryption of segments: records come back exactly, nothing of them is readable in the stored bytes,
 * blocks cannot be altered, swapped or moved between segments unnoticed, and a missing or wrong key names the key id
 * the segment needs.
 */
class SegmentEncryptionTest {

    private static final String NAME = "backups/b1/topics/orders/partition=3/segment-00000000000000000100.zst";
    private static final byte[] KEY_A = key(1);
    private static final byte[] KEY_B = key(2);
    private static final EncryptionKeys ONLY_A = EncryptionKeys.of("key-a", Map.of("key-a", KEY_A));

    @ParameterizedTest
    @EnumSource(Codec.class)
    void encryptedSegmentsReadBackExactlyAndHideTheRecords(Codec codec) {
        List<BackupRecord> records = distinctiveRecords(300);
        byte[] segment = write(codec, records, ONLY_A, 2048);

        assertEquals(SegmentFormat.ENCRYPTED_VERSION, ByteBuffer.wrap(segment).getShort(4));
        assertFalse(contains(segment, "customer-secret".getBytes(StandardCharsets.UTF_8)),
                "no record value is visible in the stored bytes");
        assertEquals(records, SegmentReader.readAll(new ByteArrayInputStream(segment), NAME, ONLY_A));

        SegmentFooter footer = SegmentRoundTripTest.readFooter(segment, ONLY_A);
        assertEquals("key-a", footer.encryptionKeyId().orElseThrow());
        assertTrue(footer.blocks().size() > 3, "several blocks: " + footer.blocks().size());
        List<BackupRecord> fromBlocks = new ArrayList<>();
        for (int block = 0; block < footer.blocks().size(); block++) { // seeking readers start at any block
            long position = footer.blocks().get(block).position();
            try (SegmentReader reader = SegmentReader.openAtBlock(new ByteArrayInputStream(segment, (int) position,
                    segment.length), NAME, footer, block, ONLY_A)) {
                reader.nextBlock();
                fromBlocks.addAll(reader.records());
            }
        }
        assertEquals(records, fromBlocks);
    }

    @Test
    void withoutAKeySegmentsStayVersionTwoAndAnyReaderReadsThem() {
        List<BackupRecord> records = distinctiveRecords(50);
        byte[] segment = write(Codec.ZSTD, records, EncryptionKeys.NONE, 2048);

        assertEquals(SegmentFormat.VERSION, ByteBuffer.wrap(segment).getShort(4));
        assertEquals(records, SegmentReader.readAll(new ByteArrayInputStream(segment), NAME));
        assertEquals(records, SegmentReader.readAll(new ByteArrayInputStream(segment), NAME, ONLY_A));
        assertNull(SegmentRoundTripTest.readFooter(segment).keyRecord());
    }

    @Test
    void everySegmentGetsItsOwnDataKey() {
        List<BackupRecord> records = distinctiveRecords(20);
        SegmentFooter first = SegmentRoundTripTest.readFooter(write(Codec.ZSTD, records, ONLY_A, 2048), ONLY_A);
        SegmentFooter second = SegmentRoundTripTest.readFooter(write(Codec.ZSTD, records, ONLY_A, 2048), ONLY_A);
        assertFalse(Arrays.equals(first.keyRecord().wrappedKey(), second.keyRecord().wrappedKey()));
    }

    @Test
    void aMissingKeyNamesTheKeyIdTheSegmentNeeds() {
        byte[] segment = write(Codec.ZSTD, distinctiveRecords(20), ONLY_A, 2048);

        for (EncryptionKeys keys : List.of(EncryptionKeys.NONE,
                EncryptionKeys.of("key-b", Map.of("key-b", KEY_B)))) {
            SegmentKeyException e = assertThrows(SegmentKeyException.class,
                    () -> SegmentReader.readAll(new ByteArrayInputStream(segment), NAME, keys));
            assertEquals("key-a", e.keyId());
            assertTrue(e.getMessage().contains("'key-a'") && e.getMessage().contains(NAME)
                    && e.getMessage().contains("encryption.previous.keys"), e.getMessage());
        }
        SegmentFooter footer = SegmentRoundTripTest.readFooter(segment, ONLY_A);
        SegmentKeyException seeking = assertThrows(SegmentKeyException.class, () -> SegmentReader.openAtBlock(
                new ByteArrayInputStream(segment), NAME, footer, 0, EncryptionKeys.NONE));
        assertEquals("key-a", seeking.keyId());
    }

    @Test
    void aWrongKeyUnderTheRightIdIsRefusedNamingTheId() {
        byte[] segment = write(Codec.ZSTD, distinctiveRecords(20), ONLY_A, 2048);
        EncryptionKeys impostor = EncryptionKeys.of("key-a", Map.of("key-a", KEY_B));

        SegmentKeyException e = assertThrows(SegmentKeyException.class,
                () -> SegmentReader.readAll(new ByteArrayInputStream(segment), NAME, impostor));
        assertEquals("key-a", e.keyId());
        assertTrue(e.getMessage().contains("does not open it"), e.getMessage());
    }

    @Test
    void afterARotationPreviousKeysStillReadOlderSegments() {
        List<BackupRecord> before = distinctiveRecords(30);
        byte[] old = write(Codec.LZ4, before, ONLY_A, 1024);
        EncryptionKeys rotated = EncryptionKeys.of("key-b", Map.of("key-b", KEY_B, "key-a", KEY_A));
        List<BackupRecord> after = new RandomRecords(5, 100, 0).records(1000, 30);
        byte[] fresh = write(Codec.LZ4, after, rotated, 1024);

        assertEquals("key-b", SegmentRoundTripTest.readFooter(fresh, rotated).encryptionKeyId().orElseThrow());
        assertEquals(before, SegmentReader.readAll(new ByteArrayInputStream(old), NAME, rotated));
        assertEquals(after, SegmentReader.readAll(new ByteArrayInputStream(fresh), NAME, rotated));
        assertEquals(List.of("key-b", "key-a"), rotated.keyIds());
        assertFalse(rotated.toString().contains(Arrays.toString(KEY_A)), rotated.toString());
    }

    @Test
    void swappedPayloadsFailAuthenticationEvenWithEveryChecksumRecomputed() {
        // Codec none and equal records make equal-length blocks, so the swap keeps every position and index entry.
        byte[] segment = write(Codec.NONE, equalRecords(40), ONLY_A, 200);
        SegmentFooter footer = SegmentRoundTripTest.readFooter(segment, ONLY_A);
        BlockIndexEntry first = footer.blocks().get(0);
        BlockIndexEntry second = footer.blocks().get(1);
        assertEquals(first.length(), second.length());
        byte[] swapped = segment.clone();
        int payload = first.length() - SegmentFormat.BLOCK_HEADER_SIZE;
        System.arraycopy(segment, (int) second.position() + SegmentFormat.BLOCK_HEADER_SIZE, swapped,
                (int) first.position() + SegmentFormat.BLOCK_HEADER_SIZE, payload);
        System.arraycopy(segment, (int) first.position() + SegmentFormat.BLOCK_HEADER_SIZE, swapped,
                (int) second.position() + SegmentFormat.BLOCK_HEADER_SIZE, payload);
        fixBlockChecksums(swapped, first);
        fixBlockChecksums(swapped, second);

        CorruptSegmentException e = assertCorrupt(swapped, ONLY_A);
        assertEquals(0, e.block());
        assertEquals(first.position(), e.position());
        assertTrue(e.getMessage().contains("fails authentication"), e.getMessage());
    }

    @Test
    void rewrittenBlockOffsetsFailAuthentication() {
        byte[] segment = write(Codec.NONE, equalRecords(40), ONLY_A, 200);
        BlockIndexEntry block = SegmentRoundTripTest.readFooter(segment, ONLY_A).blocks().get(0);
        byte[] shifted = segment.clone();
        ByteBuffer buffer = ByteBuffer.wrap(shifted);
        int at = (int) block.position();
        buffer.putLong(at + 14, buffer.getLong(at + 14) - 50); // records would decode 50 offsets lower
        buffer.putLong(at + 22, buffer.getLong(at + 22) - 50);
        fixBlockChecksums(shifted, block);

        try (SegmentReader reader = SegmentReader.open(new ByteArrayInputStream(shifted), NAME, ONLY_A)) {
            reader.nextBlock();
            CorruptSegmentException e = assertThrows(CorruptSegmentException.class, reader::records);
            assertEquals(0, e.block());
            assertTrue(e.getMessage().contains("fails authentication"), e.getMessage());
        }
    }

    @Test
    void aBlockMovedFromAnotherSegmentFailsAuthentication() {
        // Same records, same key id: the two segments agree byte for byte in layout, but each has its own data key.
        List<BackupRecord> records = equalRecords(40);
        byte[] target = write(Codec.NONE, records, ONLY_A, 200);
        byte[] donor = write(Codec.NONE, records, ONLY_A, 200);
        BlockIndexEntry block = SegmentRoundTripTest.readFooter(target, ONLY_A).blocks().get(1);
        assertEquals(block, SegmentRoundTripTest.readFooter(donor, ONLY_A).blocks().get(1));
        byte[] moved = target.clone();
        System.arraycopy(donor, (int) block.position(), moved, (int) block.position(), block.length());

        CorruptSegmentException e = assertCorrupt(moved, ONLY_A);
        assertEquals(1, e.block());
        assertTrue(e.getMessage().contains("fails authentication") && e.getMessage().contains(NAME), e.getMessage());
    }

    @Test
    void everyFlippedBitOfAnEncryptedSegmentIsCorruption() {
        byte[] segment = write(Codec.ZSTD, new RandomRecords(9, 64, 0).records(100, 40), ONLY_A, 512);
        Random random = new Random(7);
        for (int position = 0; position < segment.length; position++) {
            byte[] corrupt = segment.clone();
            corrupt[position] ^= (byte) (1 << random.nextInt(8));
            assertCorrupt(corrupt, ONLY_A);
        }
    }

    @Test
    void keysMustBe256BitsUnderANonEmptyId() {
        assertThrows(IllegalArgumentException.class, () -> EncryptionKeys.of("k", Map.of("k", new byte[16])));
        assertThrows(IllegalArgumentException.class, () -> EncryptionKeys.of("", Map.of("", KEY_A)));
        assertThrows(IllegalArgumentException.class, () -> EncryptionKeys.of("k", Map.of("other", KEY_A)));
        assertNotEquals(EncryptionKeys.NONE.encrypts(), ONLY_A.encrypts());
    }

    static byte[] write(Codec codec, List<BackupRecord> records, EncryptionKeys keys, int blockBytes) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (BlockCompressor compressor = codec.newCompressor(codec == Codec.ZSTD ? 3 : 0)) {
            SegmentWriter writer = new SegmentWriter(NAME, "orders", 3, compressor, out, blockBytes, -1, keys);
            records.forEach(writer::append);
            writer.finish();
        }
        return out.toByteArray();
    }

    private static CorruptSegmentException assertCorrupt(byte[] bytes, EncryptionKeys keys) {
        try {
            List<BackupRecord> records = SegmentReader.readAll(new ByteArrayInputStream(bytes), NAME, keys);
            fail("read " + records.size() + " records without noticing");
            return null;
        } catch (CorruptSegmentException e) {
            return e;
        }
    }

    /** Recomputes a block's payload and header checksums, as someone altering it on purpose would. */
    private static void fixBlockChecksums(byte[] segment, BlockIndexEntry block) {
        ByteBuffer buffer = ByteBuffer.wrap(segment);
        int at = (int) block.position();
        buffer.putInt(at + 46, crc(segment, at + SegmentFormat.BLOCK_HEADER_SIZE,
                block.length() - SegmentFormat.BLOCK_HEADER_SIZE));
        buffer.putInt(at + 50, crc(segment, at, 50));
    }

    private static int crc(byte[] bytes, int offset, int length) {
        CRC32C crc = new CRC32C();
        crc.update(bytes, offset, length);
        return (int) crc.getValue();
    }

    private static List<BackupRecord> distinctiveRecords(int count) {
        List<BackupRecord> records = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            records.add(new BackupRecord(100 + i, 1_700_000_000_000L + i, TimestampKind.CREATE_TIME,
                    ("key-" + i).getBytes(StandardCharsets.UTF_8),
                    ("{\"customer-secret\":\"card " + i + "\"}").getBytes(StandardCharsets.UTF_8), List.of()));
        }
        return records;
    }

    /** Records of identical encoded size, one timestamp, consecutive offsets. */
    private static List<BackupRecord> equalRecords(int count) {
        List<BackupRecord> records = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            records.add(new BackupRecord(100 + i, 1_000L, TimestampKind.CREATE_TIME, null,
                    String.format("value-%04d", i).getBytes(StandardCharsets.UTF_8), List.of()));
        }
        return records;
    }

    private static boolean contains(byte[] haystack, byte[] needle) {
        outer:
        for (int i = 0; i + needle.length <= haystack.length; i++) {
            for (int j = 0; j < needle.length; j++) {
                if (haystack[i + j] != needle[j]) {
                    continue outer;
                }
            }
            return true;
        }
        return false;
    }

    private static byte[] key(int seed) {
        byte[] key = new byte[EncryptionKeys.KEY_BYTES];
        new Random(seed).nextBytes(key);
        return key;
    }
}
