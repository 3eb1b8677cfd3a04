package dev.kbackup.packaging;

import dev.kbackup.metrics.TaskMetric;
import dev.kbackup.restore.RestoreMetricNames;
import dev.kbackup.sink.BackupSinkMetricNames;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The committed monitoring doc lists every metric the connectors declare, as the declarations generate it. */
class MetricReferenceTest {

    private static final Path COMMITTED = RepoPaths.root().resolve("docs/monitoring.md");

    @Test
    void committedMetricTablesAreWhatTheDeclarationsGenerate() throws IOException {
        String committed = Files.readString(COMMITTED, StandardCharsets.UTF_8);
        assertEquals(MetricReference.fill(committed, "docs/monitoring.md"), committed, "the metric tables of "
                + "docs/monitoring.md differ from what the connectors' metric declarations generate. Regenerate "
                + "them with: " + MetricReference.REGENERATE_COMMAND);
    }

    @Test
    void everyDeclaredMetricIsListedInItsConnectorsSection() throws IOException {
        String committed = Files.readString(COMMITTED, StandardCharsets.UTF_8);
        String sink = committed.substring(committed.indexOf(MetricReference.SINK_BEGIN),
                committed.indexOf(MetricReference.RESTORE_BEGIN));
        String restore = committed.substring(committed.indexOf(MetricReference.RESTORE_BEGIN));
        assertListed(sink, BackupSinkMetricNames.ALL);
        assertListed(restore, RestoreMetricNames.ALL);
        // metrics users and runbooks rely on, named here apart from the declarations
        for (String name : List.of("buffered-bytes-max", "state-sync-failures-total", "state-sync-age-ms",
                "storage-circuit-state", "segment-upload-latency-p99")) {
            assertTrue(sink.contains("| `" + name + "` |"), "the sink table lists " + name);
        }
        assertTrue(sink.contains("| `backup-lag` | `kbackup_backup_backup_lag` | `topic`, `partition` | gauge | offsets |"),
                "backup-lag is listed with its partition tags");
        for (String name : List.of("partitions-already-restored", "records-remaining", "restore-complete",
                "corrupt-segments-skipped-total")) {
            assertTrue(restore.contains("| `" + name + "` |"), "the restore table lists " + name);
        }
    }

    @Test
    void keepsTheProseAroundTheTablesAndReplacesOnlyWhatIsBetweenTheMarkers() {
        String document = "# Metrics\n\nintro\n\n" + MetricReference.SINK_BEGIN + "\n| stale |\n"
                + MetricReference.END + "\n\nbetween\n\n" + MetricReference.RESTORE_BEGIN + "\n"
                + MetricReference.END + "\n\nalerts\n";
        String filled = MetricReference.fill(document, "test.md");
        String doNotEdit = "<!-- Do not edit this table: change the declarations and run `"
                + MetricReference.REGENERATE_COMMAND + "`. -->\n";
        assertEquals("# Metrics\n\nintro\n\n" + MetricReference.SINK_BEGIN + "\n" + doNotEdit
                + MetricReference.table(JmxExporterRules.BACKUP, BackupSinkMetricNames.ALL) + MetricReference.END + "\n\nbetween\n\n"
                + MetricReference.RESTORE_BEGIN + "\n" + doNotEdit + MetricReference.table(JmxExporterRules.RESTORE, RestoreMetricNames.ALL)
                + MetricReference.END + "\n\nalerts\n", filled);
        assertEquals(filled, MetricReference.fill(filled, "test.md"), "filling twice changes nothing");
    }

    @Test
    void refusesADocumentThatLostAMarkerNamingIt() {
        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> MetricReference.fill("# Metrics\n\n" + MetricReference.SINK_BEGIN + "\n| table |\n", "m.md"));
        assertTrue(e.getMessage().startsWith("m.md lacks the markers"), e.getMessage());
        assertTrue(e.getMessage().contains(MetricReference.END), e.getMessage());
    }

    private static void assertListed(String section, List<TaskMetric> metrics) {
        for (TaskMetric metric : metrics) {
            assertTrue(section.contains("| `" + metric.name() + "` | `"), "the table lists " + metric.name());
        }
    }
}
