package dev.kbackup.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.kbackup.format.BackupRecord;
import dev.kbackup.format.BlockCompressor;
import dev.kbackup.format.Codec;
import dev.kbackup.format.EncryptionKeys;
import dev.kbackup.format.SegmentInfo;
import dev.kbackup.format.SegmentWriter;
import dev.kbackup.layout.BackupCatalog;
import dev.kbackup.layout.BackupLayout;
import dev.kbackup.layout.PartitionIndex;
import dev.kbackup.layout.SourceCluster;
import dev.kbackup.storage.FilesystemObjectStore;
import dev.kbackup.storage.ObjectStore;
import dev.kbackup.storage.ObjectUpload;
import dev.kbackup.storage.WriteMode;
import dev.kbackup.testing.RandomRecords;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * verify on an encrypted backup in a filesystem store: two segments written before and after a key rotation, read
 * with the keys of the config file (given through a ${file:..} reference, as an operator keeps them).
 */
class EncryptedVerifyTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String BACKUP = "enc";
    private static final byte[] KEY_A = key(1);
    private static final byte[] KEY_B = key(2);

    @TempDir
    Path dir;

    private Path store;
    private final List<SegmentInfo> segments = new ArrayList<>();

    @BeforeEach
    void writeSegmentsBeforeAndAfterARotation() {
        store = dir.resolve("store");
        try (ObjectStore objects = new FilesystemObjectStore(store)) {
            BackupLayout layout = new BackupLayout(BACKUP);
            segments.add(write(objects, layout, 0, 99, EncryptionKeys.of("key-a", Map.of("key-a", KEY_A))));
            segments.add(write(objects, layout, 100, 199, EncryptionKeys.of("key-b", Map.of("key-b", KEY_B))));
            BackupCatalog catalog = new BackupCatalog(objects, layout);
            Instant now = Instant.parse("2026-11-29T00:00:00Z");
            PartitionIndex index = catalog.publishIndex(new PartitionIndex("orders", 0, now, segments), now);
            catalog.publishManifest(List.of(index), SourceCluster.UNKNOWN, now);
        }
    }

    @Test
    void currentAndPreviousKeysOpenEverySegment() throws Exception {
        Result result = verify(Map.of("encryption.key", "${file:" + keysFile() + ":current}",
                "encryption.key.id", "key-b", "encryption.previous.keys", "${file:" + keysFile() + ":previous}"));
        assertEquals(0, result.code(), result.toString());
        JsonNode json = JSON.readTree(result.out());
        assertTrue(json.get("intact").asBoolean(), result.out());
        assertEquals(2, json.get("segmentsRead").asInt());
    }

    @Test
    void aSegmentWhoseKeyIsNotConfiguredIsNamedWithTheKeyIdItNeeds() throws Exception {
        Result result = verify(Map.of("encryption.key", "${file:" + keysFile() + ":current}",
                "encryption.key.id", "key-b"));
        assertEquals(1, result.code(), result.toString());
        JsonNode problems = JSON.readTree(result.out()).get("problems");
        assertEquals(1, problems.size(), result.out());
        JsonNode problem = problems.get(0);
        assertEquals("KEY_NEEDED", problem.get("kind").asText());
        assertEquals(segments.get(0).key(), problem.get("key").asText());
        assertEquals("key-a", problem.get("keyId").asText());
        assertEquals(0, problem.get("firstOffset").asLong());
        assertEquals(99, problem.get("lastOffset").asLong());
        assertTrue(problem.get("message").asText().contains("encryption.previous.keys"), result.out());
    }

    @Test
    void withoutAnyKeyEveryEncryptedSegmentIsReportedInHumanOutput() throws Exception {
        Result result = verify(Map.of(), "human");
        assertEquals(1, result.code(), result.toString());
        assertTrue(result.out().contains("2 PROBLEM(S)"), result.out());
        assertTrue(result.out().contains("KEY_NEEDED " + segments.get(0).key()), result.out());
        assertTrue(result.out().contains("KEY_NEEDED " + segments.get(1).key()), result.out());
        assertTrue(result.out().contains("'key-b'"), result.out());
        assertFalse(result.out().contains(Base64.getEncoder().encodeToString(KEY_B)), result.out());
    }

    @Test
    void aKeyOfTheWrongLengthIsBadUsageNamingTheSetting() throws Exception {
        Result result = verify(Map.of("encryption.key", "c2hvcnQ=", "encryption.key.id", "key-b"));
        assertEquals(2, result.code(), result.toString());
        assertTrue(result.err().contains("encryption.key"), result.err());
        assertTrue(result.err().contains("32 bytes"), result.err());
    }

    private Result verify(Map<String, String> encryption) throws Exception {
        return verify(encryption, "json");
    }

    private Result verify(Map<String, String> encryption, String output) throws Exception {
        StringBuilder text = new StringBuilder("storage.type=filesystem\nfilesystem.path=" + store + "\n");
        encryption.forEach((key, value) -> text.append(key).append('=').append(value).append('\n'));
        Path config = Files.writeString(dir.resolve("backup.properties"), text.toString());
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = Kbackup.run(new String[] {"verify", BACKUP, "--config", config.toString(), "-o", output,
            "--progress", "none"}, new PrintWriter(out), new PrintWriter(err));
        return new Result(code, out.toString(), err.toString());
    }

    private Path keysFile() throws Exception {
        return Files.writeString(dir.resolve("keys.properties"), "current=" + Base64.getEncoder()
                .encodeToString(KEY_B) + "\nprevious=key-a:" + Base64.getEncoder().encodeToString(KEY_A) + "\n");
    }

    private static SegmentInfo write(ObjectStore store, BackupLayout layout, long first, long last,
                                     EncryptionKeys keys) {
        List<BackupRecord> records = new RandomRecords(first).records(first, (int) (last - first + 1));
        String key = layout.segmentKey("orders", 0, first, Codec.ZSTD);
        try (BlockCompressor compressor = Codec.ZSTD.newCompressor(3);
             ObjectUpload upload = store.startUpload(key, WriteMode.CREATE_NEW)) {
            SegmentWriter writer = new SegmentWriter(key, "orders", 0, compressor, upload, 2048, -1, keys);
            for (int i = 0; i < records.size(); i++) {
                BackupRecord r = records.get(i);
                writer.append(new BackupRecord(first + i, r.timestamp(), r.timestampKind(), r.key(), r.value(),
                        r.headers()));
            }
            SegmentInfo info = writer.finish();
            upload.complete();
            return info;
        }
    }

    private static byte[] key(int seed) {
        byte[] key = new byte[EncryptionKeys.KEY_BYTES];
        java.util.Arrays.fill(key, (byte) seed);
        return key;
    }

    private record Result(int code, String out, String err) {
    }
}
