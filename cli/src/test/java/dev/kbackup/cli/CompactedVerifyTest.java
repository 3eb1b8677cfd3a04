package dev.kbackup.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.kbackup.format.Codec;
import dev.kbackup.format.EncryptionKeys;
import dev.kbackup.format.SegmentInfo;
import dev.kbackup.layout.BackupCatalog;
import dev.kbackup.layout.BackupLayout;
import dev.kbackup.layout.PartitionIndex;
import dev.kbackup.layout.SegmentCompaction;
import dev.kbackup.layout.SourceCluster;
import dev.kbackup.storage.FilesystemObjectStore;
import dev.kbackup.storage.ObjectStore;
import dev.kbackup.testing.TestSegments;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** verify on a backup whose first segments compaction merged, while their sources wait out cleanup.grace.ms. */
class CompactedVerifyTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String BACKUP = "compacted";
    private static final Instant NOW = Instant.parse("2026-11-29T00:00:00Z");

    @TempDir
    Path dir;

    @Test
    void sourcesOfAMergedSegmentWaitingForTheGraceAreNotReportedAsLeftOutOfTheCatalog() throws Exception {
        Path root = Files.createDirectories(dir.resolve("store"));
        try (ObjectStore store = new FilesystemObjectStore(root)) {
            BackupLayout layout = new BackupLayout(BACKUP);
            BackupCatalog catalog = new BackupCatalog(store, layout);
            List<SegmentInfo> segments = new ArrayList<>();
            for (long first : new long[] {0, 10, 20}) {
                segments.add(TestSegments.write(store, layout, "orders", 0, first, first + 9));
            }
            // 30..39 was never stored: compaction does not merge across it, and verify reports it
            segments.add(TestSegments.write(store, layout, "orders", 0, 40, 49));
            PartitionIndex index = catalog.publishIndex(new PartitionIndex("orders", 0, NOW, segments), NOW);
            catalog.publishManifest(List.of(index), SourceCluster.UNKNOWN, NOW);
            SegmentInfo merged = new SegmentCompaction(catalog, new SegmentCompaction.Settings(Duration.ofHours(1),
                    1 << 20, Duration.ofHours(1), Codec.ZSTD, 3, 4096, EncryptionKeys.NONE))
                    .compact("orders", 0, NOW).merged().orElseThrow();
            assertEquals(List.of(0L, 29L), List.of(merged.firstOffset(), merged.lastOffset()));
            assertTrue(store.stat(segments.get(0).key()).isPresent(), "the sources stay for the grace");
        }

        Path config = Files.writeString(dir.resolve("backup.properties"),
                "storage.type=filesystem\nfilesystem.path=" + root + "\n");
        StringWriter out = new StringWriter();
        int code = Kbackup.run(new String[] {"verify", BACKUP, "--config", config.toString(), "-o", "json",
            "--progress", "none"}, new PrintWriter(out), new PrintWriter(new StringWriter()));

        JsonNode problems = JSON.readTree(out.toString()).get("problems");
        List<String> kinds = new ArrayList<>();
        problems.forEach(problem -> kinds.add(problem.get("kind").asText()));
        assertEquals(List.of("OFFSET_GAP"), kinds, out.toString());
        assertEquals(1, code);
    }
}
