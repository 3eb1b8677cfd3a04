package dev.kbackup.packaging;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Each Grafana dashboard is valid JSON whose every query names only series and labels our JMX exporter rules
 * produce (PluginInstallIT shows each of those series in a real scrape), filtered by the connector variable.
 */
class DashboardsTest {

    private static final Path MONITORING = RepoPaths.root().resolve("packaging/monitoring");
    private static final Pattern LEGEND_LABEL = Pattern.compile("\\{\\{\\s*([a-zA-Z_]+)\\s*}}");

    @Test
    void backupDashboardQueriesOnlyBackupSeries() throws IOException {
        Set<String> used = check("grafana-backup.json", "kbackup_backup_");
        assertTrue(used.containsAll(Set.of("kbackup_backup_backup_lag", "kbackup_backup_bytes_in_rate",
                "kbackup_backup_bytes_written_rate", "kbackup_backup_segment_upload_latency_p99_seconds",
                "kbackup_backup_checkpoint_latency_p99_seconds", "kbackup_backup_buffered_bytes",
                "kbackup_backup_storage_circuit_state")), used.toString());
    }

    @Test
    void restoreDashboardQueriesOnlyRestoreSeries() throws IOException {
        Set<String> used = check("grafana-restore.json", "kbackup_restore_");
        assertTrue(used.containsAll(Set.of("kbackup_restore_records_remaining", "kbackup_restore_records_restored_rate",
                "kbackup_restore_throttle_time_seconds_total", "kbackup_restore_storage_read_latency_max_seconds")),
                used.toString());
    }

    private static Set<String> check(String file, String prefix) throws IOException {
        JsonNode dashboard = new ObjectMapper().readTree(MONITORING.resolve(file).toFile());
        assertFalse(dashboard.path("uid").asText().isBlank(), file + " has a uid");
        Set<String> used = new TreeSet<>();
        List<String> queries = new java.util.ArrayList<>();
        for (JsonNode variable : dashboard.path("templating").path("list")) {
            if (variable.path("type").asText().equals("query")) {
                queries.add(variable.path("query").path("query").asText());
            }
        }
        Set<Integer> ids = new HashSet<>();
        for (JsonNode panel : dashboard.path("panels")) {
            String title = panel.path("title").asText();
            assertFalse(title.isBlank(), file + ": every panel has a title");
            assertTrue(ids.add(panel.path("id").asInt()), file + ": panel ids are unique: " + title);
            assertTrue(panel.path("targets").size() > 0, file + ": " + title + " has a query");
            for (JsonNode target : panel.path("targets")) {
                String expr = target.path("expr").asText();
                assertTrue(expr.contains("connector=~\"$connector\""), title + " follows the connector variable: "
                        + expr);
                queries.add(expr);
                Matcher legend = LEGEND_LABEL.matcher(target.path("legendFormat").asText());
                while (legend.find()) {
                    assertTrue(MonitoringSeries.LABELS.contains(legend.group(1)), title + " legend label "
                            + legend.group(1));
                }
            }
        }
        for (String query : queries) {
            Set<String> series = MonitoringSeries.seriesIn(query);
            assertFalse(series.isEmpty(), file + ": every query uses a kbackup series: " + query);
            for (String name : series) {
                assertTrue(name.startsWith(prefix), file + " shows only its connector type's series: " + name);
            }
            Set<String> unknown = new TreeSet<>(series);
            unknown.removeAll(MonitoringSeries.produced());
            assertEquals(Set.of(), unknown, file + ": " + query + " names series our exporter rules do not produce");
            Set<String> labels = MonitoringSeries.groupingLabelsIn(query);
            labels.removeAll(MonitoringSeries.LABELS);
            assertEquals(Set.of(), labels, file + ": " + query + " groups by labels our series do not have");
            used.addAll(series);
        }
        return used;
    }
}
